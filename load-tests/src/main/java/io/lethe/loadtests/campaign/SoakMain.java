package io.lethe.loadtests.campaign;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe soak}: a benchmark command, not a CI test. Runs the bad-input campaign paced over
 * {@code --duration} on a fresh local multi-process cluster while killing the learner's TaskManager
 * and restarting the broker, then accounts for every input ({@link Soak}).
 */
@Command(
    name = "lethe soak",
    description = {
      "Starts a local multi-process cluster (JobManager, two TaskManagers, Kafka broker, schema"
          + " registry) in a temporary directory on free ports, submits the learner job with the"
          + " bad-input campaign's catalog, runs the ingress in this JVM, and sends the campaign"
          + " (valid samples and erasures among malformed, oversized, invalid, duplicate and"
          + " reused-id records, scaled to the duration) at an even pace. Every --fault-every it"
          + " injects a fault, alternating a kill -9 of the TaskManager running the learner (a"
          + " replacement is started) and a broker stop and restart, and measures the recovery."
          + " At the end it checks that every input is accounted for, every erasure has its"
          + " receipt and the final model equals an offline retrain within 1e-9.",
      "Progress goes to standard error."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:all checks passed", "1:a check failed", "2:a bad command line"})
public final class SoakMain implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "30m",
      description = "How long the traffic is sent, e.g. 90s, 3m, 1h.")
  Duration duration;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "20261207",
      description = "The campaign plan's seed (replays the same records).")
  long seed;

  @Option(
      names = "--fault-every",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "4m",
      description = "Time between faults.")
  Duration faultEvery;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      defaultValue = "soak-report.json",
      description = "The JSON report; the text report goes next to it as .txt.")
  Path report;

  /** Entry point. */
  public static void main(String[] args) {
    // Kafka's and Flink's clients leave non-daemon threads behind.
    System.exit(run(args));
  }

  /**
   * Runs the soak with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new SoakMain(), args);
  }

  /**
   * The options.
   *
   * @throws picocli.CommandLine.ParameterException naming the option
   */
  static Soak.Options parse(String[] args) {
    SoakMain command = new SoakMain();
    Cli.parse(Cli.commandLine(command), args);
    return command.options();
  }

  Soak.Options options() {
    return new Soak.Options(duration, seed, faultEvery, report);
  }

  @Override
  public Integer call() throws Exception {
    String[] args = spec.commandLine().getParseResult().originalArgs().toArray(String[]::new);
    return new Soak(options(), System.out).run("./lethe soak " + String.join(" ", args).trim());
  }
}
