package io.lethe.demo;

import io.lethe.cli.Cli;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code lethe demo}, checked ({@link DemoMain} declares the options); every
 * error names the option.
 *
 * @param models which models to run: "analytic", "hypernet" or both
 * @param tasks how many Split Fashion-MNIST tasks to stream (2-5: the demo erases task 1)
 * @param samplesPerTask training samples per task (at most 12,000)
 * @param rate samples per second fed to the ingress, 0 for as fast as it takes them
 * @param bufferSize d_E of the analytic model
 * @param stepsPerTask the hypernetwork's {@code steps-per-task} (0: one pass over each task)
 * @param dashboardPort the read-only Flink dashboard's port (0 = any free port)
 * @param servePort model service port (0 = any free port)
 * @param ingressPort erasure status endpoint port (0 = any free port)
 * @param metricsPort port of the learner job's metrics for Prometheus (0 = any free port)
 * @param report where to write the JSON report, or null
 * @param keepRunning keep everything running after the report until the process is stopped
 * @param dataDirectory Fashion-MNIST directory, or null for the default
 * @param insecure run Kafka open instead of with SASL/SCRAM and ACLs ({@code --insecure})
 */
record DemoOptions(
    List<String> models,
    int tasks,
    int samplesPerTask,
    int rate,
    int bufferSize,
    int stepsPerTask,
    int dashboardPort,
    int servePort,
    int ingressPort,
    int metricsPort,
    Path report,
    boolean keepRunning,
    Path dataDirectory,
    boolean insecure) {

  /** The defaults: both models, five tasks of 2,000 samples, unpaced, the standard ports. */
  public static DemoOptions defaults() {
    return parse();
  }

  /**
   * Parses {@code args} as {@code lethe demo} does, without running the demo.
   *
   * @throws picocli.CommandLine.ParameterException naming the option
   */
  public static DemoOptions parse(String... args) {
    DemoMain command = new DemoMain();
    Cli.parse(Cli.commandLine(command), args);
    return command.options();
  }

  /** Whether the analytic model runs. */
  public boolean analytic() {
    return models.contains("analytic");
  }

  /** Whether the hypernetwork model runs. */
  public boolean hypernet() {
    return models.contains("hypernet");
  }
}
