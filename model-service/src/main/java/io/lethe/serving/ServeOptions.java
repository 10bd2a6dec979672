package io.lethe.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@code lethe serve}, parsed into {@link ServingSettings}; errors name the
 * option.
 */
final class ServeOptions {
  static final String USAGE =
      String.join(
          "\n",
          "usage: lethe serve --bootstrap HOST:PORT --registry URL [--port N] [--host ADDR]",
          "                   [--topic NAME] [--max-body-bytes N] [--max-instances N]",
          "                   [--intra-op-threads N]",
          "  --bootstrap HOST:PORT   Kafka bootstrap servers",
          "  --registry URL          Confluent-compatible schema registry, e.g. http://host:8081",
          "  --port N                HTTP port (default "
              + ServingSettings.DEFAULT_PORT
              + ", 0 = any free port)",
          "  --host ADDR             address to bind (default 0.0.0.0)",
          "  --topic NAME            the models topic (default lethe.models)",
          "  --max-body-bytes N      largest predict request body (default "
              + ServingSettings.DEFAULT_MAX_BODY_BYTES
              + ")",
          "  --max-instances N       most instances per predict request (default "
              + ServingSettings.DEFAULT_MAX_INSTANCES
              + ")",
          "  --intra-op-threads N    PyTorch threads per scoring call (default 1)");

  private static final List<String> KNOWN =
      List.of(
          "--bootstrap",
          "--registry",
          "--port",
          "--host",
          "--topic",
          "--max-body-bytes",
          "--max-instances",
          "--intra-op-threads");

  /** A bad command line; the message names the option and what is expected. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private ServeOptions() {}

  /**
   * Parses {@code args}.
   *
   * @throws UsageException naming the option for a missing, unknown, repeated or bad option
   */
  static ServingSettings parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (!KNOWN.contains(option)) {
        throw new UsageException("unknown option '" + option + "'");
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new UsageException("option " + option + " needs a value");
      }
      if (values.put(option, args[++i]) != null) {
        throw new UsageException("option " + option + " is given twice");
      }
    }
    String bootstrap = required(values, "--bootstrap");
    if (!bootstrap.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
      throw new UsageException(
          "option --bootstrap is '" + bootstrap + "', expected HOST:PORT[,HOST:PORT...]");
    }
    String registry = required(values, "--registry");
    if (!registry.startsWith("http://") && !registry.startsWith("https://")) {
      throw new UsageException(
          "option --registry is '" + registry + "', expected an http:// or https:// URL");
    }
    ServingSettings defaults = ServingSettings.defaults(bootstrap, registry);
    long port = number(values, "--port", defaults.port(), 0, 65535);
    long maxBody =
        number(values, "--max-body-bytes", defaults.maxBodyBytes(), 1024, Integer.MAX_VALUE - 8);
    long maxInstances =
        number(values, "--max-instances", defaults.maxInstances(), 1, Integer.MAX_VALUE);
    long threads = number(values, "--intra-op-threads", defaults.intraOpThreads(), 1, 1024);
    return new ServingSettings(
        bootstrap,
        registry,
        values.getOrDefault("--topic", defaults.modelsTopic()),
        values.getOrDefault("--host", defaults.host()),
        (int) port,
        maxBody,
        (int) maxInstances,
        (int) threads);
  }

  private static String required(Map<String, String> values, String option) {
    String value = values.get(option);
    if (value == null) {
      throw new UsageException("option " + option + " is required");
    }
    return value;
  }

  private static long number(
      Map<String, String> values, String option, long fallback, long min, long max) {
    String text = values.get(option);
    if (text == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      value = Long.MIN_VALUE;
    }
    if (value < min || value > max) {
      throw new UsageException(
          "option " + option + " is '" + text + "', expected a whole number " + min + "-" + max);
    }
    return value;
  }
}
