package io.lethe.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** A bad command line; the message names the option. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The defaults: both models, five tasks of 2,000 samples, unpaced, the standard ports. */
  public static DemoOptions defaults() {
    return parse();
  }

  /**
   * Parses {@code args}.
   *
   * @throws UsageException naming the option
   */
  public static DemoOptions parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    boolean keepRunning = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--keep-running")) {
        keepRunning = true;
        continue;
      }
      if (!VALUED.contains(option)) {
        throw new UsageException("unknown option '" + option + "'");
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new UsageException("option " + option + " needs a value");
      }
      if (values.put(option, args[++i]) != null) {
        throw new UsageException("option " + option + " is given twice");
      }
    }
    List<String> models = List.of(values.getOrDefault("--models", "analytic,hypernet").split(","));
    if (models.isEmpty()
        || !models.stream().allMatch(m -> m.equals("analytic") || m.equals("hypernet"))
        || models.stream().distinct().count() != models.size()) {
      throw new UsageException(
          "option --models is '"
              + values.get("--models")
              + "', expected analytic, hypernet or analytic,hypernet");
    }
    return new DemoOptions(
        models,
        number(values, "--tasks", 5, 2, 5),
        number(values, "--samples-per-task", 2000, 1, 12000),
        number(values, "--rate", 0, 0, 1_000_000),
        number(values, "--buffer-size", 2048, 16, 8192),
        number(values, "--dashboard-port", 8081, 0, 65535),
        number(values, "--serve-port", 8080, 0, 65535),
        number(values, "--ingress-port", 8090, 0, 65535),
        values.containsKey("--report") ? Path.of(values.get("--report")) : null,
        keepRunning,
        values.containsKey("--data") ? Path.of(values.get("--data")) : null);
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

  private static int number(
      Map<String, String> values, String option, int fallback, int min, int max) {
    String text = values.get(option);
    if (text == null) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      value = Integer.MIN_VALUE;
    }
    if (value < min || value > max) {
      throw new UsageException(
          "option " + option + " is '" + text + "', expected a whole number " + min + "-" + max);
    }
    return value;
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
