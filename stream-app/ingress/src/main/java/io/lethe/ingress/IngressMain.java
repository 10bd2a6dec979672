package io.lethe.ingress;

import io.lethe.catalog.CatalogException;
import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.BearerTokens;
import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.KafkaOptions;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lethe ingress}: runs the ingress until the process is stopped. */
@Command(
    name = "lethe ingress",
    description =
        "Runs the Kafka Streams ingress (validation, de-duplication, erasure routing) and the"
            + " erasure status endpoint until stopped.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped",
      "1:the ingress cannot start",
      "2:a bad command line, --config file or catalog"
    })
public final class IngressMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(IngressMain.class);

  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--catalog",
      required = true,
      paramLabel = "FILE",
      description = "Model catalog YAML (datasets and models).")
  Path catalog;

  @Mixin KafkaOptions kafka;
  @Mixin KafkaConfigOption kafkaConfig;
  @Mixin HttpAuthOptions httpAuth;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = StatusPort.class,
      defaultValue = "" + IngressOptions.DEFAULT_HTTP_PORT,
      description =
          "Erasure status endpoint port, also serving /metrics (0: any free port, -1: off).")
  int port;

  /** The older name of {@code --port}, kept for existing scripts and manifests. */
  @Option(names = "--http-port", hidden = true, converter = StatusPort.class)
  Integer httpPort;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description =
          "Address the status endpoint binds (default: ${DEFAULT-VALUE}, this machine only;"
              + " 0.0.0.0 for every interface, as in a container).")
  String host;

  @Option(
      names = "--advertised-host",
      paramLabel = "HOST",
      defaultValue = "localhost",
      description = "Host other ingress instances reach this one's status endpoint at.")
  String advertisedHost;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Local state directory (default: <tmp>/lethe-ingress).")
  Path stateDir;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = IngressApp.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id.")
  String applicationId;

  @Option(
      names = "--dedupe-window",
      paramLabel = "DURATION",
      description = "Sample de-duplication window (default 1h).")
  String dedupeWindow;

  @Option(
      names = "--pending-timeout",
      paramLabel = "DURATION",
      description = "Report erasures pending longer than this (default 5m).")
  String pendingTimeout;

  @Option(
      names = "--max-record-bytes",
      paramLabel = "N",
      description = "Largest accepted raw record (default 1048576).")
  String maxRecordBytes;

  @Option(
      names = "--receipt-retention",
      paramLabel = "DURATION",
      description = "How long finished requests stay queryable (default 7d).")
  String receiptRetention;

  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      description =
          "Sign every erasure receipt with this Ed25519 private key (PKCS#8 PEM, from `lethe keys"
              + " generate`). Default: unsigned.")
  Path signingKey;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe ingress} with {@code args} until the process is stopped.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new IngressMain(), args);
  }

  /**
   * The parsed options; the ingress settings are checked here, by {@link IngressSettings}.
   *
   * @throws ParameterException naming the option of a bad setting
   */
  IngressOptions options() {
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> optionOfSetting = new LinkedHashMap<>();
    putSetting(
        settings, optionOfSetting, "--dedupe-window", IngressSettings.DEDUPE_WINDOW, dedupeWindow);
    putSetting(
        settings,
        optionOfSetting,
        "--pending-timeout",
        IngressSettings.PENDING_TIMEOUT,
        pendingTimeout);
    putSetting(
        settings,
        optionOfSetting,
        "--max-record-bytes",
        IngressSettings.MAX_RECORD_BYTES,
        maxRecordBytes);
    putSetting(
        settings,
        optionOfSetting,
        "--receipt-retention",
        IngressSettings.RECEIPT_RETENTION,
        receiptRetention);
    IngressSettings parsed;
    try {
      parsed = IngressSettings.fromStrings(settings);
    } catch (IllegalArgumentException e) {
      String option =
          optionOfSetting.entrySet().stream()
              .filter(entry -> e.getMessage().contains(entry.getKey()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse("an ingress setting");
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '" + option + "': " + e.getMessage());
    }
    int statusPort = httpPort != null ? httpPort : port;
    // without a status endpoint there is nothing to protect, nor to open
    BearerTokens tokens = statusPort < 0 ? null : httpAuth.tokens(spec.commandLine()).orElse(null);
    return new IngressOptions(
        catalog,
        kafka.bootstrap(),
        kafka.registry(),
        kafkaConfig.config(),
        statusPort,
        host,
        advertisedHost,
        stateDir != null
            ? stateDir
            : Path.of(System.getProperty("java.io.tmpdir"), "lethe-ingress"),
        applicationId,
        parsed,
        signingKey,
        tokens);
  }

  private static void putSetting(
      Map<String, String> settings,
      Map<String, String> optionOfSetting,
      String option,
      String key,
      String value) {
    optionOfSetting.put(key, option);
    if (value != null) {
      settings.put(key, value);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    IngressOptions options = options();
    ModelCatalog catalog;
    try {
      catalog = ModelCatalog.load(options.catalog());
    } catch (CatalogException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage().strip().replace('\n', ' '));
    }
    ReceiptSigner signer = null;
    if (options.signingKey() != null) {
      try {
        signer = ReceiptSigner.fromFile(options.signingKey());
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new ParameterException(
            spec.commandLine(), "Invalid value for option '--signing-key': " + e.getMessage());
      }
    }
    TopicNames names = TopicNames.defaults();
    SchemaRegistryClient registry;
    try {
      registry =
          SchemaRegistryClient.create(options.registry(), options.kafkaConfig().properties());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '" + KafkaConfigOption.NAME + "': " + e.getMessage());
    }
    if (options.httpPort() >= 0 && options.httpTokens() == null) {
      LOG.warn(
          "the erasure status endpoint is open: anyone who reaches it can read every erasure's"
              + " status (see {})",
          HttpAuthOptions.TOKEN_FILE);
    } else if (options.httpTokens() != null) {
      LOG.info(
          "the erasure status endpoint requires a bearer token from {}",
          options.httpTokens().source());
    }
    IngressApp app;
    try {
      app =
          IngressApp.start(
              new IngressApp.Connection(
                      options.applicationId(),
                      options.bootstrap(),
                      options.stateDir(),
                      options.httpPort(),
                      options.advertisedHost(),
                      options.host(),
                      options.kafkaConfig())
                  .withHttpTokens(options.httpTokens()),
              LetheTopics.create(names, registry),
              names,
              catalog,
              options.settings(),
              signer);
    } catch (Exception e) {
      spec.commandLine().getErr().println("lethe ingress: cannot start: " + e.getMessage());
      registry.close();
      return Cli.FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  registry.close();
                  stopped.countDown();
                },
                "lethe-ingress-shutdown"));
    stopped.await();
    return Cli.OK;
  }

  /** A port, 0 for any free port, or -1 for no status endpoint. */
  static final class StatusPort extends Values.IntRange {
    StatusPort() {
      super(-1, 65_535);
    }
  }
}
