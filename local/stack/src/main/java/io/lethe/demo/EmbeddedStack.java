package io.lethe.demo;

import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.ingress.IngressApp;
import io.lethe.ingress.IngressSettings;
import io.lethe.job.JobSettings;
import io.lethe.job.LearnerJobMain;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.rest.DashboardProxy;
import io.lethe.local.flink.FlinkRestCredentials;
import io.lethe.local.flink.LoopbackPrometheusReporter;
import io.lethe.local.kafka.EmbeddedKafka;
import io.lethe.local.kafka.KafkaPrincipals;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.serving.ModelService;
import io.lethe.serving.ServingSettings;
import io.lethe.serving.console.ConsoleSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/**
 * All of Lethe in this JVM: a KRaft broker, the schema registry, Lethe's topics, the ingress, the
 * learner job on a Flink MiniCluster with its web dashboard, and the model service, for a given
 * model catalog. What {@code lethe demo} and {@code lethe bench} run on; close it to stop
 * everything, newest first, and delete its temporary directory. Every listener binds the loopback
 * address. Flink's REST endpoint asks for a client certificate (mutual TLS, with a throw-away CA in
 * the temporary directory's {@code security/flink-rest}) and refuses jar uploads; the dashboard
 * people open is a read-only proxy of it ({@link DashboardProxy}).
 *
 * <p>Snapshots and erasure receipts are signed: the stack generates an Ed25519 key pair in its
 * temporary directory, the job and the ingress sign with the private key and the model service
 * trusts only the public key.
 *
 * <p>Kafka is secured unless the stack is started insecure: the broker authenticates every client
 * with SASL/SCRAM-SHA-512 and authorizes it with Kafka's standard authorizer. The stack gives each
 * of Lethe's principals ({@link Principal}) a fresh password and exactly the rights of {@link
 * LetheAcls}, writes a Kafka client properties file per principal under {@code security/kafka} in
 * its temporary directory, and connects each component as its own principal.
 *
 * <p>The learner job's metrics are served for Prometheus by Flink's reporter at {@link
 * #jobMetricsUrl()}; the ingress and the model service serve theirs at {@code /metrics} on their
 * own ports.
 *
 * <p>HTTP needs credentials ({@link StackCredentials}, generated under {@code security/} in the
 * temporary directory, Kafka's mode notwithstanding): the model service and the erasure status
 * endpoint a bearer token ({@link #httpToken()}; health, readiness and metrics stay open), the
 * schema registry a user per component with the least role it needs.
 */
public final class EmbeddedStack implements AutoCloseable {
  /** The ingress's application id, which is also its consumer group. */
  public static final String INGRESS_APPLICATION_ID = "lethe-embedded-ingress";

  /** The address every listener of the stack binds. */
  static final String LOOPBACK = "127.0.0.1";

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private String bootstrapServers;
  private String registryUrl;
  private LetheTopics topics;
  private ModelCatalog catalog;
  private int dashboardPort;
  private int ingressPort;
  private int servePort;
  private int jobMetricsPort;
  private IngressApp ingress;
  private JobClient learnerJob;
  private String signingKeyId;
  private Path signingPublicKey;
  private KafkaPrincipals principals;
  private StackCredentials credentials;
  private FlinkRestCredentials flinkRest;
  private ConsoleSettings console = ConsoleSettings.defaults();

  private EmbeddedStack() {}

  /**
   * Starts the stack.
   *
   * @param catalog the model catalog (written to a file for the job, as a cluster reads it)
   * @param ports dashboard, model service and ingress status ports; 0 picks a free one
   * @param checkpointInterval the job's checkpoint (and output commit) interval
   * @param log where progress lines go
   * @throws IllegalArgumentException naming the option if a port is in use
   */
  public static EmbeddedStack start(
      ModelCatalog catalog, Ports ports, Duration checkpointInterval, PrintStream log)
      throws Exception {
    return start(catalog, ports, checkpointInterval, log, KafkaSecurity.SECURED);
  }

  /**
   * Starts the stack as {@link #start(ModelCatalog, Ports, Duration, PrintStream)} does, with Kafka
   * secured or open.
   */
  public static EmbeddedStack start(
      ModelCatalog catalog,
      Ports ports,
      Duration checkpointInterval,
      PrintStream log,
      KafkaSecurity security)
      throws Exception {
    return start(catalog, ports, checkpointInterval, log, security, ConsoleSettings.defaults());
  }

  /**
   * Starts the stack as {@link #start(ModelCatalog, Ports, Duration, PrintStream, KafkaSecurity)}
   * does, with the model service's console set up by {@code console} (e.g. with an evaluation set).
   */
  public static EmbeddedStack start(
      ModelCatalog catalog,
      Ports ports,
      Duration checkpointInterval,
      PrintStream log,
      KafkaSecurity security,
      ConsoleSettings console)
      throws Exception {
    EmbeddedStack stack = new EmbeddedStack();
    stack.console = console;
    try {
      stack.startAll(catalog, ports, checkpointInterval, log, security);
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
  }

  /**
   * The ports to listen on (0 = any free port) and the option names that set them, for the error
   * when one is taken.
   *
   * @param metrics the port of the job's metrics for Prometheus (Flink's reporter)
   */
  public record Ports(
      int dashboard,
      String dashboardOption,
      int serve,
      String serveOption,
      int ingress,
      String ingressOption,
      int metrics,
      String metricsOption) {

    /** Ports with the job's metrics on any free port. */
    public Ports(
        int dashboard,
        String dashboardOption,
        int serve,
        String serveOption,
        int ingress,
        String ingressOption) {
      this(dashboard, dashboardOption, serve, serveOption, ingress, ingressOption, 0, "metrics");
    }
  }

  private void startAll(
      ModelCatalog catalog,
      Ports ports,
      Duration checkpointInterval,
      PrintStream log,
      KafkaSecurity security)
      throws Exception {
    dashboardPort = freeOrRequested(ports.dashboard(), ports.dashboardOption());
    int wantedServe = freeOrRequested(ports.serve(), ports.serveOption());
    int wantedIngress = freeOrRequested(ports.ingress(), ports.ingressOption());
    jobMetricsPort = freeOrRequested(ports.metrics(), ports.metricsOption());

    Path dir = Files.createTempDirectory("lethe-stack");
    resources.push(() -> deleteTree(dir));
    credentials = StackCredentials.generate(dir.resolve("security"));
    log.println("lethe: starting Kafka (KRaft, in this JVM) and the schema registry...");
    EmbeddedKafka.Credentials admin =
        new EmbeddedKafka.Credentials("lethe-admin", KafkaPrincipals.newPassword());
    EmbeddedKafka kafka =
        security == KafkaSecurity.SECURED
            ? EmbeddedKafka.startSecured(admin)
            : EmbeddedKafka.start();
    resources.push(kafka);
    bootstrapServers = kafka.bootstrapServers();
    LetheAcls acls = LetheAcls.defaults().withIngressApplicationId(INGRESS_APPLICATION_ID);
    if (security == KafkaSecurity.SECURED) {
      principals =
          KafkaPrincipals.provision(
              bootstrapServers,
              kafka.adminClientProperties(),
              Map.of("security.protocol", "SASL_PLAINTEXT"),
              acls,
              dir.resolve("security").resolve("kafka"),
              admin);
      // one file per principal for every client of a tool: Kafka's and the registry's
      for (Principal principal : Principal.values()) {
        credentials.addRegistryUserTo(principals.file(principal), principal.defaultUser());
      }
      credentials.addRegistryUserTo(principals.adminFile(), StackCredentials.ADMIN);
    }
    EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.start(
            bootstrapServers,
            clientConfig(Principal.REGISTRY).kafkaProperties(),
            acls.registryTopic(),
            0,
            credentials.registryUsers(),
            null);
    resources.push(registry);
    registryUrl = registry.url();
    SchemaRegistryClient registryClient =
        SchemaRegistryClient.create(
            registryUrl, credentials.registryProperties(StackCredentials.ADMIN));
    resources.push(registryClient);
    TopicNames names = TopicNames.defaults();
    topics = LetheTopics.create(names, registryClient);
    // the administrator creates the topics: no component may
    TopicSetup.ensureTopics(
        bootstrapServers, KafkaClientConfig.of(null, kafka.adminClientProperties()), names, 2);

    this.catalog = catalog;
    Path catalogFile = catalog.write(dir.resolve("catalog.yaml"));
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir.resolve("keys"));
    signingKeyId = keys.keyId();
    signingPublicKey = keys.publicKey();

    log.println("lethe: starting the ingress, the learner job and the model service...");
    SchemaRegistryClient ingressRegistry =
        SchemaRegistryClient.create(
            registryUrl, credentials.registryProperties(StackCredentials.INGRESS));
    resources.push(ingressRegistry);
    ingress =
        IngressApp.start(
            new IngressApp.Connection(
                    INGRESS_APPLICATION_ID,
                    bootstrapServers,
                    dir.resolve("ingress"),
                    wantedIngress,
                    LOOPBACK,
                    LOOPBACK,
                    clientConfig(Principal.INGRESS))
                .withHttpTokens(credentials.httpTokens()),
            LetheTopics.create(names, ingressRegistry),
            names,
            catalog,
            IngressSettings.defaults(),
            ReceiptSigner.fromFile(keys.privateKey()));
    resources.push(ingress);
    ingressPort = ingress.httpPort().orElse(wantedIngress);
    // Flink's REST endpoint asks for a client certificate; people read it through the proxy.
    flinkRest =
        FlinkRestCredentials.issue(
            dir.resolve("security").resolve("flink-rest"), freeOrRequested(0, "Flink REST"));
    JobSettings jobSettings =
        JobSettings.defaults(catalogFile, bootstrapServers, registryUrl)
            .withRestPort(URI.create(flinkRest.restUrl()).getPort())
            .withCheckpointInterval(checkpointInterval)
            .withCheckpointDirectory(dir.resolve("checkpoints"))
            .withSigningKey(keys.privateKey())
            .withClientConfig(withRegistryUser(clientConfig(Principal.JOB), StackCredentials.JOB));
    JobClient job =
        LearnerJobMain.start(
            LearnerJobMain.localEnvironment(
                jobSettings,
                flinkRest.server(),
                "http://localhost:" + dashboardPort,
                LoopbackPrometheusReporter.configuration(LOOPBACK, jobMetricsPort)),
            jobSettings,
            catalog,
            new CatalogLearners());
    learnerJob = job;
    resources.push(
        () -> {
          // it may have ended already (a learner watch stops on that), and its MiniCluster with it
          if (!job.getJobExecutionResult().isDone()) {
            job.cancel().get(30, TimeUnit.SECONDS);
          }
        });
    resources.push(
        DashboardProxy.start(
            LOOPBACK, dashboardPort, flinkRest.restUrl(), flinkRest.client().sslContext()));
    ModelService service =
        ModelService.start(
            ServingSettings.defaults(bootstrapServers, registryUrl)
                .withPort(wantedServe)
                .withHost(LOOPBACK)
                .withTrustedKeys(List.of(keys.publicKey()))
                .withKafkaConfig(
                    withRegistryUser(
                        clientConfig(Principal.MODEL_SERVICE), StackCredentials.SERVICE))
                .withHttpTokens(credentials.httpTokens()),
            console);
    resources.push(service);
    servePort = service.port();
  }

  /** Kafka bootstrap address. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Schema registry URL. */
  public String registryUrl() {
    return registryUrl;
  }

  /**
   * The bearer token the model service and the erasure status endpoint require; send it as {@code
   * Authorization: Bearer <token>}.
   */
  public String httpToken() {
    return credentials.httpToken();
  }

  /** The file holding {@link #httpToken()}, readable by its owner only. */
  public Path httpTokenFile() {
    return credentials.httpTokenFile();
  }

  /** The stack's generated HTTP credentials: the token and the registry's users. */
  public StackCredentials credentials() {
    return credentials;
  }

  /**
   * {@code kafka} with the registry client properties of the registry user {@code user} on top: one
   * file's worth of client settings for a component, as a deployment would give it.
   */
  private KafkaClientConfig withRegistryUser(KafkaClientConfig kafka, String user) {
    Map<String, String> all = new java.util.TreeMap<>(kafka.properties());
    all.putAll(credentials.registryProperties(user));
    return KafkaClientConfig.of(kafka.source().orElse(null), all);
  }

  /**
   * The Kafka client properties of {@code principal}, read from the file the stack wrote for it;
   * none when Kafka is open.
   */
  public KafkaClientConfig clientConfig(Principal principal) {
    return principals == null
        ? KafkaClientConfig.none()
        : KafkaClientConfig.load(principals.file(principal));
  }

  /**
   * The Kafka super user's client properties, for tools that feed and observe every topic (a
   * benchmark, a test); none when Kafka is open.
   */
  public KafkaClientConfig adminClientConfig() {
    return principals == null
        ? KafkaClientConfig.none()
        : KafkaClientConfig.load(principals.adminFile());
  }

  /** Each principal's credential and client properties file; empty when Kafka is open. */
  public Optional<KafkaPrincipals> kafkaPrincipals() {
    return Optional.ofNullable(principals);
  }

  /**
   * The id of the key that signs this stack's snapshots and receipts (the only key its service
   * trusts).
   */
  public String signingKeyId() {
    return signingKeyId;
  }

  /** The public key file of {@link #signingKeyId()}, e.g. for {@code lethe verify-receipt}. */
  public Path signingPublicKey() {
    return signingPublicKey;
  }

  /** Lethe's topics, typed. */
  public LetheTopics topics() {
    return topics;
  }

  /** The model names of the catalog. */
  public List<String> models() {
    return catalog.models().stream().map(m -> m.name()).toList();
  }

  /** The running ingress, e.g. for its Kafka Streams state and metrics. */
  public IngressApp ingress() {
    return ingress;
  }

  /** The learner job on the Flink MiniCluster. */
  public JobClient learnerJob() {
    return learnerJob;
  }

  /** The Lethe console's page on the model service (it asks for {@link #httpToken()}). */
  public String consoleUrl() {
    return serviceUrl() + "/console/";
  }

  /** Base URL of the model service. */
  public String serviceUrl() {
    return "http://" + LOOPBACK + ":" + servePort;
  }

  /** Port of the Flink web dashboard, read-only: Lethe's proxy of Flink's REST endpoint. */
  public int dashboardPort() {
    return dashboardPort;
  }

  /**
   * Flink's REST endpoint, which asks for the client certificate, and the Flink client
   * configuration that presents it.
   */
  public FlinkRestCredentials flinkRest() {
    return flinkRest;
  }

  /**
   * Where Prometheus scrapes the learner job's metrics: Flink's reporter on the MiniCluster, which
   * serves them at any path (conventionally {@code /metrics}).
   */
  public String jobMetricsUrl() {
    return "http://" + LOOPBACK + ":" + jobMetricsPort + "/metrics";
  }

  /** Port of the ingress's erasure status endpoint. */
  public int ingressPort() {
    return ingressPort;
  }

  /** Registers something to close with the stack (before the stack's own parts). */
  public void closeWith(AutoCloseable resource) {
    resources.push(resource);
  }

  /** {@code wanted}, or a free port if 0; an error naming the option if it is taken. */
  static int freeOrRequested(int wanted, String option) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(wanted));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new Demo.DemoException(
          "port "
              + wanted
              + " ("
              + option
              + ") is in use; stop what listens there, or pass "
              + option
              + " 0 for any free port");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Stops everything, newest first; failures are printed, not thrown. */
  @Override
  public void close() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("lethe: while stopping: " + e);
      }
    }
  }
}
