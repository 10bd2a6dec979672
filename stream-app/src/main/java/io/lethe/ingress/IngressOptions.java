package io.lethe.ingress;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of {@code lethe ingress}, parsed and checked; every error names the option.
 *
 * @param catalog model catalog YAML file
 * @param bootstrap Kafka bootstrap servers, {@code HOST:PORT[,HOST:PORT...]}
 * @param registry schema registry base URL
 * @param httpPort status endpoint port, 0 for a free port, -1 for none
 * @param advertisedHost host name other instances use to reach this one's status endpoint
 * @param stateDir directory of the local state stores
 * @param applicationId Kafka Streams application id
 * @param settings the ingress settings
 */
public record IngressOptions(
    Path catalog,
    String bootstrap,
    String registry,
    int httpPort,
    String advertisedHost,
    Path stateDir,
    String applicationId,
    IngressSettings settings) {

  /** Default port of the status endpoint. */
  public static final int DEFAULT_HTTP_PORT = 8090;

  /** The usage text printed on errors and for {@code --help}. */
  public static final String USAGE =
      String.join(
          "\n",
          "usage: lethe ingress --catalog FILE --bootstrap HOST:PORT --registry URL",
          "                     [--http-port N] [--advertised-host HOST] [--state-dir DIR]",
          "                     [--application-id ID] [--dedupe-window 1h]",
          "                     [--pending-timeout 5m] [--max-record-bytes 1048576]",
          "                     [--receipt-retention 7d]",
          "  --catalog FILE          model catalog YAML (datasets and models)",
          "  --bootstrap HOST:PORT   Kafka bootstrap servers",
          "  --registry URL          Confluent-compatible schema registry, e.g. http://host:8081",
          "  --http-port N           erasure status endpoint port (default "
              + DEFAULT_HTTP_PORT
              + ", 0 = any free port, -1 = off)",
          "  --advertised-host HOST  host other ingress instances reach this one at"
              + " (default localhost)",
          "  --state-dir DIR         local state directory (default <tmp>/lethe-ingress)",
          "  --application-id ID     Kafka Streams application id (default "
              + IngressApp.DEFAULT_APPLICATION_ID
              + ")",
          "  --dedupe-window D       sample de-duplication window (default 1h)",
          "  --pending-timeout D     report erasures pending longer than this (default 5m)",
          "  --max-record-bytes N    largest accepted raw record (default 1048576)",
          "  --receipt-retention D   how long finished requests stay queryable (default 7d)");

  /** A bad command line; the message names the option and what is expected. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code args}.
   *
   * @throws UsageException naming the option for a missing, unknown or bad option
   */
  public static IngressOptions parse(String... args) {
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
    Path catalog = Path.of(required(values, "--catalog"));
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
    int httpPort = DEFAULT_HTTP_PORT;
    if (values.containsKey("--http-port")) {
      String text = values.get("--http-port");
      try {
        httpPort = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        httpPort = Integer.MIN_VALUE;
      }
      if (httpPort < -1 || httpPort > 65535) {
        throw new UsageException(
            "option --http-port is '" + text + "', expected a port 0-65535, or -1 for none");
      }
    }
    Path stateDir =
        Path.of(
            values.getOrDefault(
                "--state-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "lethe-ingress").toString()));
    Map<String, String> settings = new LinkedHashMap<>();
    putSetting(values, settings, "--dedupe-window", IngressSettings.DEDUPE_WINDOW);
    putSetting(values, settings, "--pending-timeout", IngressSettings.PENDING_TIMEOUT);
    putSetting(values, settings, "--max-record-bytes", IngressSettings.MAX_RECORD_BYTES);
    putSetting(values, settings, "--receipt-retention", IngressSettings.RECEIPT_RETENTION);
    IngressSettings parsed;
    try {
      parsed = IngressSettings.fromStrings(settings);
    } catch (IllegalArgumentException e) {
      throw new UsageException(optionNameFor(e.getMessage()));
    }
    return new IngressOptions(
        catalog,
        bootstrap,
        registry,
        httpPort,
        values.getOrDefault("--advertised-host", "localhost"),
        stateDir,
        values.getOrDefault("--application-id", IngressApp.DEFAULT_APPLICATION_ID),
        parsed);
  }

  private static final java.util.Set<String> KNOWN =
      java.util.Set.of(
          "--catalog",
          "--bootstrap",
          "--registry",
          "--http-port",
          "--advertised-host",
          "--state-dir",
          "--application-id",
          "--dedupe-window",
          "--pending-timeout",
          "--max-record-bytes",
          "--receipt-retention");

  private static final Map<String, String> OPTION_OF_SETTING =
      Map.of(
          IngressSettings.DEDUPE_WINDOW, "--dedupe-window",
          IngressSettings.PENDING_TIMEOUT, "--pending-timeout",
          IngressSettings.MAX_RECORD_BYTES, "--max-record-bytes",
          IngressSettings.RECEIPT_RETENTION, "--receipt-retention");

  private static String required(Map<String, String> values, String option) {
    String value = values.get(option);
    if (value == null || value.isBlank()) {
      throw new UsageException("option " + option + " is required");
    }
    return value;
  }

  private static void putSetting(
      Map<String, String> values, Map<String, String> settings, String option, String key) {
    if (values.containsKey(option)) {
      settings.put(key, values.get(option));
    }
  }

  /** Rewrites a settings error so that it names the command-line option as well as the key. */
  private static String optionNameFor(String message) {
    for (Map.Entry<String, String> e : OPTION_OF_SETTING.entrySet()) {
      if (message.contains(e.getKey())) {
        return "option " + e.getValue() + ": " + message;
      }
    }
    return message;
  }
}
