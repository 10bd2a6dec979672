package io.lethe.demo;

import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code lethe demo}: runs {@link Demo} and prints its report. */
@Command(
    name = "lethe demo",
    description =
        "Runs all of Lethe in this JVM (broker, registry, ingress, Flink job, model service) on"
            + " Split Fashion-MNIST, erases, and prints a report.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:a complete report",
      "1:the report is incomplete or the demo failed",
      "2:a bad command line or something missing (the message says how to fix it)",
      "3:the learner job stopped learning while the demo ran"
    })
public final class DemoMain implements Callable<Integer> {
  @Mixin StandardOptions standard;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--models",
      paramLabel = "LIST",
      converter = Models.class,
      defaultValue = "analytic,hypernet",
      description = "Models to run side by side: analytic, hypernet or both.")
  String models;

  @Option(
      names = "--tasks",
      paramLabel = "N",
      converter = Tasks.class,
      defaultValue = "5",
      description = "Split Fashion-MNIST tasks to stream, 2-5 (task 1 is erased).")
  int tasks;

  @Option(
      names = "--samples-per-task",
      paramLabel = "N",
      converter = SamplesPerTask.class,
      defaultValue = "2000",
      description = "Training samples per task, 1-12000.")
  int samplesPerTask;

  @Option(
      names = "--rate",
      paramLabel = "N",
      converter = Rate.class,
      defaultValue = "0",
      description = "Samples per second into the ingress (0: unpaced).")
  int rate;

  @Option(
      names = "--buffer-size",
      paramLabel = "N",
      converter = BufferSize.class,
      defaultValue = "2048",
      description = "d_E of the analytic model, 16-8192.")
  int bufferSize;

  @Option(
      names = "--steps-per-task",
      paramLabel = "N",
      converter = StepsPerTask.class,
      defaultValue = "750",
      description =
          "Steps each hypernetwork task gets at least, added in idle time (0: one pass only).")
  int stepsPerTask;

  @Option(
      names = "--dashboard-port",
      paramLabel = "N",
      converter = Values.Port.class,
      defaultValue = "8081",
      description = "The read-only Flink dashboard (0: any free port).")
  int dashboardPort;

  @Option(
      names = "--serve-port",
      paramLabel = "N",
      converter = Values.Port.class,
      defaultValue = "8080",
      description = "Model service HTTP API (0: any free port).")
  int servePort;

  @Option(
      names = "--ingress-port",
      paramLabel = "N",
      converter = Values.Port.class,
      defaultValue = "8090",
      description = "Erasure status endpoint (0: any free port).")
  int ingressPort;

  @Option(
      names = "--metrics-port",
      paramLabel = "N",
      converter = Values.Port.class,
      defaultValue = "9249",
      description =
          "The learner job's metrics for Prometheus, Flink's reporter (0: any free port).")
  int metricsPort;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path report;

  @Option(
      names = "--keep-running",
      description = "Keep serving after the report until stopped (Ctrl-C).")
  boolean keepRunning;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST IDX files (default: $LETHE_FASHION_MNIST_DIR or"
              + " /usr/share/datasets/fashion-mnist).")
  Path data;

  @Option(
      names = "--insecure",
      description =
          "Run Kafka open (PLAINTEXT, no authentication, no ACLs), as before Lethe was secured;"
              + " anyone who reaches the port may read and write every topic.")
  boolean insecure;

  private PrintStream out = System.out;
  private PrintStream err = System.err;

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  /**
   * Runs the demo with {@code args}; with {@code --keep-running}, until the process is stopped or
   * the learner stops.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return run(args, System.out, System.err);
  }

  /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    DemoMain command = new DemoMain();
    command.out = out;
    command.err = err;
    return Cli.run(command, args, out, err);
  }

  /** The parsed options. */
  DemoOptions options() {
    return new DemoOptions(
        List.of(models.split(",")),
        tasks,
        samplesPerTask,
        rate,
        bufferSize,
        stepsPerTask,
        dashboardPort,
        servePort,
        ingressPort,
        metricsPort,
        report,
        keepRunning,
        data,
        insecure);
  }

  @Override
  public Integer call() throws Exception {
    DemoOptions options = options();
    Demo demo;
    try {
      demo = Demo.run(options, out);
    } catch (Demo.DemoException e) {
      err.println("lethe demo: " + e.getMessage());
      return Cli.USAGE;
    } catch (Demo.LearnerStoppedException e) {
      err.println("lethe demo: stopped: " + e.getMessage());
      return LearnerWatch.EXIT_STATUS;
    }
    DemoReport report = demo.report();
    report.print(out);
    if (options.report() != null) {
      report.write(options.report());
      out.println("report written to " + options.report());
    }
    int status = report.missing().isEmpty() ? Cli.OK : Cli.FAILED;
    if (status != Cli.OK) {
      out.println("the report is incomplete: " + report.missing());
    }
    if (options.keepRunning()) {
      out.println("lethe demo: still running (--keep-running); Ctrl-C stops it");
      Runtime.getRuntime().addShutdownHook(new Thread(demo::close));
      // Ctrl-C ends the process in the hook; a stopped learner ends the wait
      String why = demo.learnerStopped().get();
      err.println("lethe demo: stopped: " + why);
      demo.close();
      return LearnerWatch.EXIT_STATUS;
    }
    demo.close();
    return status;
  }

  /** analytic, hypernet, or both, each once. */
  static final class Models implements ITypeConverter<String> {
    @Override
    public String convert(String text) {
      List<String> models = List.of(text.split(","));
      if (models.isEmpty()
          || !models.stream().allMatch(m -> m.equals("analytic") || m.equals("hypernet"))
          || models.stream().distinct().count() != models.size()) {
        throw new TypeConversionException(
            "'" + text + "' is not analytic, hypernet or analytic,hypernet");
      }
      return text;
    }
  }

  /** 2-5: the demo erases task 1 and needs a task after it. */
  static final class Tasks extends Values.IntRange {
    Tasks() {
      super(2, 5);
    }
  }

  /** At most a Split Fashion-MNIST task's 12,000 training samples. */
  static final class SamplesPerTask extends Values.IntRange {
    SamplesPerTask() {
      super(1, 12_000);
    }
  }

  /** Samples per second, 0 for unpaced. */
  static final class Rate extends Values.IntRange {
    Rate() {
      super(0, 1_000_000);
    }
  }

  /** d_E of the analytic model. */
  static final class StepsPerTask extends Values.IntRange {
    StepsPerTask() {
      super(0, 1_000_000);
    }
  }

  static final class BufferSize extends Values.IntRange {
    BufferSize() {
      super(16, 8192);
    }
  }
}
