package io.lethe.loadtests.campaign;

import io.lethe.schemas.cli.CommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code lethe soak}: a benchmark command, not a CI test. Runs the bad-input campaign paced over
 * {@code --duration} on a fresh local multi-process cluster while killing the learner's TaskManager
 * and restarting the broker, then accounts for every input ({@link Soak}).
 */
public final class SoakMain {
  static final String DURATION = "--duration";
  static final String SEED = "--seed";
  static final String FAULT_EVERY = "--fault-every";
  static final String REPORT = "--report";

  private static final String USAGE =
      """
      usage: lethe soak [--duration 30m] [--seed 20261207] [--fault-every 4m]
                        [--report soak-report.json]

      Starts a local multi-process cluster (JobManager, two TaskManagers, Kafka broker, schema
      registry) in a temporary directory on free ports, submits the learner job with the bad-input
      campaign's catalog, runs the ingress in this JVM, and sends the campaign (valid samples and
      erasures among malformed, oversized, invalid, duplicate and reused-id records, scaled to the
      duration) at an even pace. Every --fault-every it injects a fault, alternating a kill -9 of
      the TaskManager running the learner (a replacement is started) and a broker stop and
      restart, and measures the recovery. At the end it checks that every input is accounted for,
      every erasure has its receipt and the final model equals an offline retrain within 1e-9.

      --duration     how long the traffic is sent (30m; e.g. 90s, 3m, 1h)
      --seed         the campaign plan's seed (replays the same records)
      --fault-every  time between faults (4m)
      --report       the JSON report; the text report goes next to it as .txt

      Exit code: 0 all checks passed, 1 a check failed, 2 a bad command line.""";

  private SoakMain() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    Soak.Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("lethe soak: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    int code = new Soak(options, System.out).run("./lethe soak " + String.join(" ", args).trim());
    // Kafka's and Flink's clients leave non-daemon threads behind.
    System.exit(code);
  }

  /**
   * The options.
   *
   * @throws IllegalArgumentException naming the option
   */
  static Soak.Options parse(String[] args) {
    CommandLine line =
        CommandLine.parse(args, List.of(DURATION, SEED, FAULT_EVERY, REPORT), List.of());
    Duration duration = Pacing.parseDuration(DURATION, line.getOrDefault(DURATION, "30m"));
    Duration every = Pacing.parseDuration(FAULT_EVERY, line.getOrDefault(FAULT_EVERY, "4m"));
    long seed;
    try {
      seed = Long.parseLong(line.getOrDefault(SEED, "20261207"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option " + SEED + " is '" + line.get(SEED) + "', expected a whole number");
    }
    return new Soak.Options(
        duration, seed, every, Path.of(line.getOrDefault(REPORT, "soak-report.json")));
  }
}
