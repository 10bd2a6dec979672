package io.lethe.demo;

import io.lethe.schemas.cli.CommandLine;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code lethe demo}, checked; every error names the option.
 *
 * @param models which models to run: "analytic", "hypernet" or both
 * @param tasks how many Split Fashion-MNIST tasks to stream (2-5: the demo erases task 1)
 * @param samplesPerTask training samples per task (at most 12,000)
 * @param rate samples per second fed to the ingress, 0 for as fast as it takes them
 * @param bufferSize d_E of the analytic model
 * @param dashboardPort Flink web dashboard port (0 = any free port)
 * @param servePort model service port (0 = any free port)
 * @param ingressPort erasure status endpoint port (0 = any free port)
 * @param report where to write the JSON report, or null
 * @param keepRunning keep everything running after the report until the process is stopped
 * @param dataDirectory Fashion-MNIST directory, or null for the default
 */
public record DemoOptions(
    List<String> models,
    int tasks,
    int samplesPerTask,
    int rate,
    int bufferSize,
    int dashboardPort,
    int servePort,
    int ingressPort,
    Path report,
    boolean keepRunning,
    Path dataDirectory) {

  static final String USAGE =
      String.join(
          "\n",
          "usage: lethe demo [--models analytic,hypernet] [--tasks 5] [--samples-per-task 2000]",
          "                  [--rate 0] [--buffer-size 2048] [--dashboard-port 8081]",
          "                  [--serve-port 8080] [--ingress-port 8090] [--report FILE]",
          "                  [--keep-running] [--data DIR]",
          "  --models LIST           models to run side by side (default analytic,hypernet)",
          "  --tasks N               Split Fashion-MNIST tasks to stream, 2-5 (default 5; task 1"
              + " is erased)",
          "  --samples-per-task N    training samples per task, 1-12000 (default 2000)",
          "  --rate N                samples per second into the ingress, 0 = unpaced (default 0)",
          "  --buffer-size N         d_E of the analytic model (default 2048)",
          "  --dashboard-port N      Flink web dashboard (default 8081, 0 = any free port)",
          "  --serve-port N          model service HTTP API (default 8080, 0 = any free port)",
          "  --ingress-port N        erasure status endpoint (default 8090, 0 = any free port)",
          "  --report FILE           also write the report as JSON",
          "  --keep-running          keep serving after the report until stopped (Ctrl-C)",
          "  --data DIR              Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)");

  /** The defaults: both models, five tasks of 2,000 samples, unpaced, the standard ports. */
  public static DemoOptions defaults() {
    return parse();
  }

  /**
   * Parses {@code args}.
   *
   * @throws CommandLine.UsageException naming the option
   */
  public static DemoOptions parse(String... args) {
    CommandLine line = CommandLine.parse(args, VALUED, List.of("--keep-running"));
    List<String> models = List.of(line.getOrDefault("--models", "analytic,hypernet").split(","));
    if (models.isEmpty()
        || !models.stream().allMatch(m -> m.equals("analytic") || m.equals("hypernet"))
        || models.stream().distinct().count() != models.size()) {
      throw new CommandLine.UsageException(
          "option --models is '"
              + line.get("--models")
              + "', expected analytic, hypernet or analytic,hypernet");
    }
    return new DemoOptions(
        models,
        (int) line.number("--tasks", 5, 2, 5),
        (int) line.number("--samples-per-task", 2000, 1, 12000),
        (int) line.number("--rate", 0, 0, 1_000_000),
        (int) line.number("--buffer-size", 2048, 16, 8192),
        (int) line.number("--dashboard-port", 8081, 0, 65535),
        (int) line.number("--serve-port", 8080, 0, 65535),
        (int) line.number("--ingress-port", 8090, 0, 65535),
        line.has("--report") ? Path.of(line.get("--report")) : null,
        line.has("--keep-running"),
        line.has("--data") ? Path.of(line.get("--data")) : null);
  }

  private static final List<String> VALUED =
      List.of(
          "--models",
          "--tasks",
          "--samples-per-task",
          "--rate",
          "--buffer-size",
          "--dashboard-port",
          "--serve-port",
          "--ingress-port",
          "--report",
          "--data");

  /** Whether the analytic model runs. */
  public boolean analytic() {
    return models.contains("analytic");
  }

  /** Whether the hypernetwork model runs. */
  public boolean hypernet() {
    return models.contains("hypernet");
  }
}
