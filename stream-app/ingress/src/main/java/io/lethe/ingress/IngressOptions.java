package io.lethe.ingress;

import io.lethe.schemas.cli.CommandLine;
import io.lethe.schemas.cli.CommandLine.UsageException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

  /**
   * Parses {@code args}.
   *
   * @throws UsageException naming the option for a missing, unknown or bad option
   */
  public static IngressOptions parse(String... args) {
    CommandLine line = CommandLine.parse(args, KNOWN, Set.of());
    Path catalog = Path.of(line.required("--catalog"));
    String bootstrap = line.bootstrapServers("--bootstrap");
    String registry = line.httpUrl("--registry");
    int httpPort = DEFAULT_HTTP_PORT;
    if (line.has("--http-port")) {
      String text = line.get("--http-port");
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
            line.getOrDefault(
                "--state-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "lethe-ingress").toString()));
    Map<String, String> settings = new LinkedHashMap<>();
    putSetting(line, settings, "--dedupe-window", IngressSettings.DEDUPE_WINDOW);
    putSetting(line, settings, "--pending-timeout", IngressSettings.PENDING_TIMEOUT);
    putSetting(line, settings, "--max-record-bytes", IngressSettings.MAX_RECORD_BYTES);
    putSetting(line, settings, "--receipt-retention", IngressSettings.RECEIPT_RETENTION);
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
        line.getOrDefault("--advertised-host", "localhost"),
        stateDir,
        line.getOrDefault("--application-id", IngressApp.DEFAULT_APPLICATION_ID),
        parsed);
  }

  private static final Set<String> KNOWN =
      Set.of(
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

  private static void putSetting(
      CommandLine line, Map<String, String> settings, String option, String key) {
    if (line.has(option)) {
      settings.put(key, line.get(option));
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
