package io.lethe.cluster;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.demo.StackCredentials;
import io.lethe.job.FlinkRestClient;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.job.rest.FlinkWebLockdown;
import io.lethe.local.flink.FlinkRestCredentials;
import io.lethe.local.flink.LoopbackPrometheusReporter;
import io.lethe.local.kafka.EmbeddedKafka;
import io.lethe.local.kafka.KafkaPrincipals;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.local.tls.StoreFile;
import io.lethe.local.tls.ThrowAwayCa;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.TopicNames;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * A real multi-process Flink session cluster on this machine, with a Kafka broker and a schema
 * registry as processes of their own: a JobManager ({@code StandaloneSessionClusterEntrypoint}), N
 * TaskManagers ({@code TaskManagerRunner}), a KRaft broker ({@code kafka.Kafka}, combined mode) and
 * Lethe's {@link RegistryMain}. No Flink distribution is needed: the Flink processes run from
 * Maven's jars ({@code deploy/cluster-runtime}), with the JVM flags and memory settings Flink's own
 * scripts would give them.
 *
 * <p>Everything lives under {@link ClusterSettings#stateDir()}: {@code conf/} ({@code config.yaml},
 * {@code server.properties}, logging), {@code pids/}, {@code logs/}, {@code kafka/} (the broker's
 * log dirs, kept across broker restarts), {@code checkpoints/}, {@code savepoints/} and {@code
 * tmp/} (Flink's {@code io.tmp.dirs}, one folder per process). The fault tests use {@link
 * #killTaskManager}, {@link #startTaskManager}, {@link #stopBroker} and {@link #startBroker}. Not
 * thread-safe.
 */
public final class LocalCluster implements AutoCloseable {
  /** Bound on each start-up wait. */
  static final Duration START_BOUND = Duration.ofSeconds(90);

  /** Flink's heartbeats: a killed TaskManager is noticed in seconds, not after Flink's 50 s. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

  static final String JOB_MANAGER = "jobmanager";
  static final String DASHBOARD = "dashboard";
  static final String KAFKA = "kafka";
  static final String REGISTRY = "registry";
  static final String TASK_MANAGER = "taskmanager-";
  static final String INGRESS = "ingress";
  static final String MODEL_SERVICE = "model-service";

  /**
   * The module-opening flags Flink's distribution puts in {@code env.java.opts.all}: without them
   * job submission fails in the JobManager ({@code InaccessibleObjectException ... does not "opens
   * java.util"}) and Kryo cannot serialize JDK collections.
   */
  static final List<String> FLINK_JVM_FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final String BASH_JAVA_UTILS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final ClusterSettings settings;
  private final Path dir;
  private final PrintStream log;
  private final Map<String, ClusterProcess> processes = new LinkedHashMap<>();
  private List<String> jobManagerMemoryFlags;
  private List<String> jobManagerMemoryConfig;
  private List<String> taskManagerMemoryFlags;
  private List<String> taskManagerMemoryConfig;
  private int nextTaskManager = 1;
  private final KafkaSecurity security;
  private EmbeddedKafka.Credentials admin;
  private KafkaPrincipals principals;
  private FlinkRestCredentials restCredentials;
  private SSLContext restSsl;

  /** The Kafka super user of a secured cluster. */
  static final String ADMIN = "lethe-admin";

  private LocalCluster(ClusterSettings settings, PrintStream log, KafkaSecurity security) {
    this.settings = settings;
    this.dir = settings.stateDir().toAbsolutePath();
    this.log = log;
    this.security = security;
  }

  /**
   * Writes the configuration, starts every process and waits until the broker, the registry, the
   * JobManager and all TaskManagers are ready; on failure stops what it started and throws with the
   * failing process's last log lines.
   *
   * @throws IllegalArgumentException naming the option if a port is taken or a cluster already runs
   *     in the state directory
   */
  public static LocalCluster start(ClusterSettings settings, PrintStream log) throws IOException {
    return start(settings, log, KafkaSecurity.SECURED);
  }

  /**
   * Starts the cluster as {@link #start(ClusterSettings, PrintStream)} does, with Kafka secured
   * (SASL/SCRAM, the standard authorizer, one least-privilege principal per component, the client
   * properties files under {@code security/kafka} in the state directory) or open.
   *
   * @throws IllegalArgumentException if the state directory holds a cluster created in the other
   *     mode
   */
  public static LocalCluster start(
      ClusterSettings settings, PrintStream log, KafkaSecurity security) throws IOException {
    LocalCluster cluster = new LocalCluster(settings, log, security);
    try {
      cluster.startAll();
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The cluster {@code lethe cluster up} started in {@code stateDir}, with whichever of its
   * processes still run.
   *
   * @throws IllegalArgumentException naming {@code --state-dir} if no cluster was ever started
   *     there
   */
  public static LocalCluster attach(Path stateDir, PrintStream log) throws IOException {
    Path file = stateDir.toAbsolutePath().resolve("cluster.properties");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "--state-dir " + stateDir + " holds no local cluster (no " + file + ")");
    }
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    }
    ClusterSettings settings = ClusterSettings.fromProperties(properties);
    Path kafkaSecurity = settings.stateDir().toAbsolutePath().resolve("security").resolve("kafka");
    KafkaSecurity security =
        Files.isRegularFile(kafkaSecurity.resolve(ADMIN + ".properties"))
            ? KafkaSecurity.SECURED
            : KafkaSecurity.INSECURE;
    LocalCluster cluster = new LocalCluster(settings, log, security);
    cluster.principals = KafkaPrincipals.existing(kafkaSecurity, ADMIN).orElse(null);
    cluster.findRunning();
    return cluster;
  }

  /**
   * Whether the broker, the registry, the JobManager and the dashboard of a cluster in {@code
   * stateDir} all run, so that {@code lethe cluster up} can attach to it.
   */
  public static boolean coreRunning(Path stateDir) {
    Path dir = stateDir.toAbsolutePath();
    return Files.isRegularFile(dir.resolve("cluster.properties"))
        && Stream.of(KAFKA, REGISTRY, JOB_MANAGER, DASHBOARD)
            .allMatch(role -> ClusterProcess.find(role, dir).isPresent());
  }

  private void findRunning() throws IOException {
    List<String> roles =
        new ArrayList<>(List.of(KAFKA, REGISTRY, JOB_MANAGER, DASHBOARD, INGRESS, MODEL_SERVICE));
    Path pids = dir.resolve("pids");
    if (Files.isDirectory(pids)) {
      try (Stream<Path> files = Files.list(pids)) {
        files
            .map(p -> p.getFileName().toString().replaceFirst("\\.pid$", ""))
            .filter(r -> r.startsWith(TASK_MANAGER))
            .sorted(Comparator.comparingInt(LocalCluster::taskManagerIndex))
            .forEach(roles::add);
      }
    }
    for (String role : roles) {
      ClusterProcess.find(role, dir).ifPresent(p -> processes.put(role, p));
      if (role.startsWith(TASK_MANAGER)) {
        nextTaskManager = Math.max(nextTaskManager, taskManagerIndex(role) + 1);
      }
    }
  }

  private static int taskManagerIndex(String role) {
    return Integer.parseInt(role.substring(TASK_MANAGER.length()));
  }

  private void startAll() throws IOException {
    if (ClusterProcess.find(JOB_MANAGER, dir).isPresent()
        || ClusterProcess.find(KAFKA, dir).isPresent()) {
      throw new IllegalArgumentException(
          "a local cluster already runs in --state-dir "
              + dir
              + "; stop it with `lethe cluster down` first");
    }
    requireFree(settings.dashboardPort(), "--dashboard-port");
    requireFree(settings.restPort(), "--rest-port");
    requireFree(settings.rpcPort(), "--rpc-port");
    requireFree(settings.kafkaPort(), "--kafka-port");
    requireFree(settings.controllerPort(), "--controller-port");
    requireFree(settings.registryPort(), "--registry-port");
    requireFree(settings.metricsPort(), "--metrics-port");
    Instant begin = Instant.now();
    checkSecurityMode();
    writeConfiguration();

    // Three short JVMs at once: Kafka's storage format and Flink's memory calculations.
    CompletableFuture<Void> format = CompletableFuture.runAsync(unchecked(this::formatKafka));
    CompletableFuture<List<String>> jm =
        CompletableFuture.supplyAsync(uncheckedGet(() -> bashJavaUtils("GET_JM_RESOURCE_PARAMS")));
    CompletableFuture<List<String>> tm =
        CompletableFuture.supplyAsync(uncheckedGet(() -> bashJavaUtils("GET_TM_RESOURCE_PARAMS")));
    List<String> jmResult = join(jm);
    jobManagerMemoryFlags = split(jmResult.get(0));
    jobManagerMemoryConfig = split(jmResult.get(jmResult.size() - 1));
    List<String> tmResult = join(tm);
    taskManagerMemoryFlags = split(tmResult.get(0));
    taskManagerMemoryConfig = split(tmResult.get(tmResult.size() - 1));
    join(format);

    launchBroker();
    launch(JOB_MANAGER, jobManagerCommand());
    for (int i = 0; i < settings.taskManagers(); i++) {
      launchTaskManager();
    }
    awaitBroker();
    if (security == KafkaSecurity.SECURED) {
      provisionPrincipals();
    }
    log.printf(
        "lethe cluster: Kafka ready at %s after %.1f s%n", bootstrapServers(), seconds(begin));
    launch(REGISTRY, registryCommand());
    awaitUp(REGISTRY, this::registryAnswers, "the schema registry at " + registryUrl());
    awaitUp(JOB_MANAGER, () -> rest().isUp(), "the JobManager's REST API at " + restUrl());
    launch(DASHBOARD, dashboardCommand());
    awaitUp(
        DASHBOARD,
        () -> httpOk(dashboardUrl() + "/overview"),
        "the dashboard at " + dashboardUrl());
    awaitTaskManagers(settings.taskManagers());
    log.printf(
        "lethe cluster: JobManager and %d TaskManager(s) ready after %.1f s%n",
        settings.taskManagers(), seconds(begin));
  }

  /**
   * Refuses to start a secured cluster on Kafka data formatted open, or the reverse: the broker
   * keeps its users and ACLs with its data.
   */
  private void checkSecurityMode() {
    boolean formatted = Files.exists(dir.resolve("kafka").resolve("meta.properties"));
    boolean securedBefore = Files.isRegularFile(kafkaSecurityDir().resolve(ADMIN + ".properties"));
    if (formatted && securedBefore != (security == KafkaSecurity.SECURED)) {
      throw new IllegalArgumentException(
          "the cluster in --state-dir "
              + dir
              + " was created "
              + (securedBefore ? "secured" : "open (--insecure)")
              + "; start it "
              + (securedBefore ? "without" : "with")
              + " --insecure, or delete it with `lethe cluster down --purge`");
    }
  }

  /** Where the Kafka client properties of each principal are. */
  private Path kafkaSecurityDir() {
    return dir.resolve("security").resolve("kafka");
  }

  /** The super user's credential: made at the first start, read from its file later. */
  private EmbeddedKafka.Credentials adminCredentials() throws IOException {
    if (admin != null) {
      return admin;
    }
    Path file = kafkaSecurityDir().resolve(ADMIN + ".properties");
    if (Files.isRegularFile(file)) {
      String jaas = KafkaClientConfig.load(file).properties().getOrDefault("sasl.jaas.config", "");
      Matcher password = Pattern.compile("password=\"([^\"]*)\"").matcher(jaas);
      if (!password.find()) {
        throw new IllegalStateException("no password in " + file);
      }
      admin = new EmbeddedKafka.Credentials(ADMIN, password.group(1));
    } else {
      admin = new EmbeddedKafka.Credentials(ADMIN, KafkaPrincipals.newPassword());
      KafkaPrincipals.writeClientFile(
          kafkaSecurityDir(), admin, clientConnection(), "super user: creates topics and ACLs");
    }
    return admin;
  }

  /**
   * What every principal's file starts with besides its login: SASL over TLS, trusting the
   * cluster's own CA.
   */
  private Map<String, String> clientConnection() {
    StoreFile truststore = kafkaTls().truststore();
    return Map.of(
        "security.protocol",
        "SASL_SSL",
        "ssl.truststore.type",
        StoreFile.TYPE,
        "ssl.truststore.location",
        truststore.path().toString(),
        "ssl.truststore.password",
        truststore.password(),
        // the registry's certificate comes from the same CA
        "schema.registry.ssl.truststore.type",
        StoreFile.TYPE,
        "schema.registry.ssl.truststore.location",
        truststore.path().toString(),
        "schema.registry.ssl.truststore.password",
        truststore.password());
  }

  /** The broker's key store and the clients' truststore. */
  private record KafkaTls(StoreFile keystore, StoreFile registryKeystore, StoreFile truststore) {}

  private KafkaTls kafkaTls;

  /**
   * The broker's certificate (for localhost and 127.0.0.1) and the truststore of its CA: issued by
   * a throw-away CA at the first start, kept with the cluster (every principal's file names the
   * truststore) and reused when it starts again.
   */
  private KafkaTls kafkaTls() {
    if (kafkaTls != null) {
      return kafkaTls;
    }
    Path tls = dir.resolve("security").resolve("kafka-tls");
    StoreFile keystore =
        new StoreFile(tls.resolve(BROKER_CERT + ".p12"), tls.resolve(BROKER_CERT + ".password"));
    StoreFile truststore =
        new StoreFile(tls.resolve("truststore.p12"), tls.resolve("truststore.password"));
    StoreFile registry =
        new StoreFile(
            tls.resolve(REGISTRY_CERT + ".p12"), tls.resolve(REGISTRY_CERT + ".password"));
    if (!Files.isRegularFile(keystore.path())
        || !Files.isRegularFile(registry.path())
        || !Files.isRegularFile(truststore.path())) {
      ThrowAwayCa ca = ThrowAwayCa.create(tls, "Lethe local cluster CA");
      keystore = ca.serverCertificate(BROKER_CERT, List.of("localhost", "127.0.0.1"));
      registry = ca.serverCertificate(REGISTRY_CERT, List.of("127.0.0.1", "localhost"));
      truststore = ca.truststore();
    }
    kafkaTls = new KafkaTls(keystore, registry, truststore);
    return kafkaTls;
  }

  /** The name of the broker's certificate and key store. */
  private static final String BROKER_CERT = "kafka-broker";

  /** The name of the registry's certificate and key store. */
  private static final String REGISTRY_CERT = "schema-registry";

  /** Where the HTTP token and the registry's users are: made at the first secured start. */
  private Path credentialsDir() {
    return dir.resolve("security");
  }

  /**
   * At the first start of a secured cluster: the users, their ACLs and client properties files, and
   * Lethe's topics, created by the super user (no component may create them).
   */
  private void provisionPrincipals() throws IOException {
    if (principals != null) {
      return;
    }
    principals = KafkaPrincipals.existing(kafkaSecurityDir(), ADMIN).orElse(null);
    if (principals != null) {
      return;
    }
    Map<String, String> adminProperties = adminClientProperties();
    principals =
        KafkaPrincipals.provision(
            bootstrapServers(),
            adminProperties,
            clientConnection(),
            LetheAcls.defaults(),
            kafkaSecurityDir(),
            adminCredentials());
    // the registry's users (basic auth) and the HTTP token; each principal's file logs in to
    // both Kafka and the registry
    StackCredentials http = StackCredentials.generate(credentialsDir());
    for (Principal principal : Principal.values()) {
      http.addRegistryUserTo(principals.file(principal), principal.defaultUser());
    }
    http.addRegistryUserTo(principals.adminFile(), StackCredentials.ADMIN);
    TopicSetup.ensureTopics(
        bootstrapServers(),
        KafkaClientConfig.of(null, adminProperties),
        TopicNames.defaults(),
        TOPIC_PARTITIONS);
  }

  /** Partitions of the keyed input topics that a secured cluster creates at its first start. */
  static final int TOPIC_PARTITIONS = 2;

  private Map<String, String> withConnection(Map<String, String> login) {
    Map<String, String> properties = new HashMap<>(clientConnection());
    properties.putAll(login);
    return properties;
  }

  /** The super user's Kafka client properties; none for an open cluster. */
  private Map<String, String> adminClientProperties() throws IOException {
    return security == KafkaSecurity.SECURED
        ? withConnection(adminCredentials().scramClientProperties(SecurityProtocol.SASL_SSL))
        : Map.of();
  }

  private static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  // ---------------------------------------------------------------- configuration

  private void writeConfiguration() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    for (String sub : List.of("logs", "pids", "tmp", "checkpoints", "savepoints", "uploads")) {
      Files.createDirectories(dir.resolve(sub));
    }
    try (OutputStream out = Files.newOutputStream(dir.resolve("cluster.properties"))) {
      settings.toProperties().store(out, "lethe cluster up: the settings of this cluster");
    }
    // Mutual TLS on the REST endpoint: config.yaml holds the key store passwords, so it is the
    // owner's only, as are the certificates and the clients' configuration next to them.
    restCredentials = FlinkRestCredentials.issue(flinkRestDir(), settings.restPort());
    Path flinkConfig = conf.resolve("config.yaml");
    Files.deleteIfExists(flinkConfig);
    Files.createFile(
        flinkConfig,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(flinkConfig, flinkConfig(), StandardCharsets.UTF_8);
    Files.writeString(conf.resolve("log4j2.properties"), LOGGING, StandardCharsets.UTF_8);
    // the broker's own credential is in it: readable by the owner only
    Path server = conf.resolve("server.properties");
    Files.deleteIfExists(server);
    Files.createFile(
        server, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(server, kafkaConfig(), StandardCharsets.UTF_8);
  }

  private String flinkConfig() {
    String state = dir.toUri().toString();
    return String.join(
        "\n",
        "# Written by `lethe cluster up` (io.lethe.cluster.LocalCluster); rewritten at each start.",
        "jobmanager.rpc.address: localhost",
        "jobmanager.rpc.port: " + settings.rpcPort(),
        "jobmanager.bind-host: localhost",
        "jobmanager.memory.process.size: " + settings.jobManagerMemory(),
        "taskmanager.host: localhost",
        "taskmanager.bind-host: localhost",
        "taskmanager.numberOfTaskSlots: " + settings.slots(),
        "taskmanager.memory.process.size: " + settings.taskManagerMemory(),
        "rest.address: localhost",
        "rest.bind-address: localhost",
        "rest.port: " + settings.restPort(),
        "web.upload.dir: " + dir.resolve("uploads"),
        "# Flink's REST API has no authentication: only clients with the cluster's client",
        "# certificate reach it; people read the dashboard through Lethe's read-only proxy.",
        yaml(FlinkWebLockdown.options(dashboardUrl())),
        yaml(restCredentials.server().options()),
        "parallelism.default: 1",
        "# A killed TaskManager is noticed within seconds, not Flink's default 50 s.",
        "heartbeat.interval: " + HEARTBEAT_INTERVAL.toMillis(),
        "heartbeat.timeout: " + HEARTBEAT_TIMEOUT.toMillis(),
        "# Metrics on the dashboard and REST refresh every 2 s (default 10 s).",
        "metrics.fetcher.update-interval: 2000",
        "# Prometheus: each process serves /metrics on 127.0.0.1 and a port of its own, set on its",
        "# command line: Flink's reporter behind Lethe's loopback server (Flink's own binds every",
        "# interface). Label values as they are (a model is fmnist-analytic, as the service says).",
        "metrics.reporter.prom.factory.class: "
            + LoopbackPrometheusReporter.Factory.class.getName(),
        "metrics.reporter.prom.host: 127.0.0.1",
        "metrics.reporter.prom.port: " + settings.metricsPort(),
        "metrics.reporter.prom.filterLabelValueCharacters: false",
        "io.tmp.dirs: " + dir.resolve("tmp"),
        "state.backend.type: rocksdb",
        "execution.checkpointing.incremental: true",
        "execution.checkpointing.dir: " + state + "checkpoints",
        "execution.checkpointing.savepoint-dir: " + state + "savepoints",
        "restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 20",
        "restart-strategy.fixed-delay.delay: 1 s",
        "# DJL is on the processes' class path, not in the job jar (deploy/cluster-runtime/pom.xml says",
        "# why). Should a job jar carry DJL anyway, its copy must still not be loaded: the parent's",
        "# engine owns the native PyTorch library, which a JVM can load only once.",
        "classloader.parent-first-patterns.additional: [\"ai.djl.\"]",
        "");
  }

  /** {@code options} as YAML lines, each value double-quoted. */
  private static String yaml(Map<String, String> options) {
    List<String> lines = new ArrayList<>();
    options.forEach(
        (key, value) ->
            lines.add(key + ": \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    return String.join("\n", lines);
  }

  private String kafkaConfig() throws IOException {
    return String.join("\n", kafkaListeners()) + "\n" + kafkaBase();
  }

  /**
   * The broker's listeners: open, or SASL/SCRAM-SHA-512 on the client listener (the broker logs in
   * to itself as the super user) and PLAIN on the controller listener, which accepts the super user
   * only (KRaft controllers cannot check SCRAM), with Kafka's standard authorizer.
   */
  private List<String> kafkaListeners() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(
        "# Written by `lethe cluster up`: one KRaft node, broker and controller in one process.");
    lines.add("process.roles=broker,controller");
    lines.add("node.id=1");
    lines.add("controller.quorum.voters=1@localhost:" + settings.controllerPort());
    lines.add("controller.listener.names=CONTROLLER");
    if (security == KafkaSecurity.INSECURE) {
      lines.add(
          "listeners=PLAINTEXT://localhost:"
              + settings.kafkaPort()
              + ",CONTROLLER://localhost:"
              + settings.controllerPort());
      lines.add("advertised.listeners=PLAINTEXT://localhost:" + settings.kafkaPort());
      lines.add("inter.broker.listener.name=PLAINTEXT");
      lines.add("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      return lines;
    }
    EmbeddedKafka.Credentials superUser = adminCredentials();
    KafkaTls tls = kafkaTls();
    lines.add(
        "listeners=SASL_SSL://localhost:"
            + settings.kafkaPort()
            + ",CONTROLLER://localhost:"
            + settings.controllerPort());
    lines.add("advertised.listeners=SASL_SSL://localhost:" + settings.kafkaPort());
    lines.add("inter.broker.listener.name=SASL_SSL");
    lines.add("listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL");
    // both listeners present the broker's certificate; the broker trusts its own CA as a client
    lines.add("ssl.keystore.type=" + StoreFile.TYPE);
    lines.add("ssl.keystore.location=" + tls.keystore().path());
    lines.add("ssl.keystore.password=" + tls.keystore().password());
    lines.add("ssl.key.password=" + tls.keystore().password());
    lines.add("ssl.truststore.type=" + StoreFile.TYPE);
    lines.add("ssl.truststore.location=" + tls.truststore().path());
    lines.add("ssl.truststore.password=" + tls.truststore().password());
    EmbeddedKafka.securitySettings(superUser, "SASL_SSL")
        .forEach((key, value) -> lines.add(key + "=" + value));
    return lines;
  }

  private String kafkaBase() {
    StringBuilder base = new StringBuilder();
    base.append("log.dirs=").append(dir.resolve("kafka")).append('\n');
    base.append("num.partitions=1\n");
    base.append("# One node: internal topics it can replicate, snapshot-sized records.\n");
    EmbeddedKafka.singleNodeSettings()
        .forEach((key, value) -> base.append(key).append('=').append(value).append('\n'));
    return base.toString();
  }

  /** One log4j 2 configuration for every process; each names its file in {@code log.file}. */
  private static final String LOGGING =
      String.join(
          "\n",
          "status = warn",
          "appender.file.type = File",
          "appender.file.name = file",
          "appender.file.fileName = ${sys:log.file}",
          "appender.file.layout.type = PatternLayout",
          "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n",
          "rootLogger.level = info",
          "rootLogger.appenderRef.file.ref = file",
          "logger.kafka-clients.name = org.apache.kafka.clients",
          "logger.kafka-clients.level = warn",
          "logger.kafka-common.name = org.apache.kafka.common",
          "logger.kafka-common.level = warn",
          "");

  // ---------------------------------------------------------------- commands

  private List<String> java(String role, String classpath, List<String> flags) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ClusterProcess.markers(role, dir));
    command.addAll(flags);
    command.add("-Dlog.file=" + dir.resolve("logs").resolve(role + ".log"));
    command.add("-Dlog4j2.configurationFile=" + dir.resolve("conf").resolve("log4j2.properties"));
    command.add("-cp");
    command.add(classpath);
    return command;
  }

  private List<String> flinkJava(String role, List<String> memoryFlags) {
    List<String> flags = new ArrayList<>(memoryFlags);
    flags.addAll(FLINK_JVM_FLAGS);
    flags.add("-Dai.djl.offline=true");
    return java(role, settings.flinkClasspath() + File.pathSeparator + reporterClasspath(), flags);
  }

  /**
   * Where the Flink processes find {@link LoopbackPrometheusReporter}: this module's jar or classes
   * directory (Flink's reporter, which it extends, is on the cluster runtime's class path).
   */
  private static String reporterClasspath() {
    try {
      return Path.of(
              LoopbackPrometheusReporter.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate Lethe's Prometheus reporter", e);
    }
  }

  private List<String> jobManagerCommand() throws IOException {
    List<String> command = flinkJava(JOB_MANAGER, jobManagerMemoryFlags);
    command.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    command.addAll(flinkArgs(JOB_MANAGER));
    command.addAll(List.of("-D", REPORTER_PORT + "=" + metricsPort(JOB_MANAGER)));
    command.addAll(jobManagerMemoryConfig);
    return command;
  }

  private List<String> taskManagerCommand(String role) throws IOException {
    List<String> command = flinkJava(role, taskManagerMemoryFlags);
    command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    command.addAll(flinkArgs(role));
    command.addAll(taskManagerMemoryConfig);
    // The dashboard and REST name the TaskManager after its role, so a test can kill the one
    // that runs a given task.
    command.addAll(List.of("-D", "taskmanager.resource-id=" + role));
    command.addAll(List.of("-D", REPORTER_PORT + "=" + metricsPort(role)));
    return command;
  }

  private static final String REPORTER_PORT = "metrics.reporter.prom.port";

  /**
   * The Prometheus reporter's port of a Flink process: {@link ClusterSettings#metricsPort()} for
   * the JobManager, that plus {@code i} for TaskManager {@code i}.
   */
  int metricsPort(String role) {
    if (role.startsWith(TASK_MANAGER)) {
      return settings.metricsPort()
          + 1
          + (taskManagerIndex(role) - 1) % ClusterSettings.METRICS_PORTS;
    }
    return settings.metricsPort();
  }

  /** The Prometheus scrape URL of each running JobManager and TaskManager. */
  public Map<String, String> metricsUrls() {
    Map<String, String> urls = new LinkedHashMap<>();
    for (String role : running().keySet()) {
      if (role.equals(JOB_MANAGER) || role.startsWith(TASK_MANAGER)) {
        urls.put(role, "http://127.0.0.1:" + metricsPort(role) + "/metrics");
      }
    }
    return urls;
  }

  /** {@code --configDir} and a temporary folder of the process's own, deleted when it stops. */
  private List<String> flinkArgs(String role) throws IOException {
    Path tmp = Files.createDirectories(dir.resolve("tmp").resolve(role));
    return List.of(
        "--configDir", dir.resolve("conf").toString(), "-D", "io.tmp.dirs=" + tmp.toString());
  }

  private List<String> kafkaCommand() {
    List<String> command = java(KAFKA, settings.servicesClasspath(), List.of("-Xms256m", "-Xmx1g"));
    command.add("kafka.Kafka");
    command.add(dir.resolve("conf").resolve("server.properties").toString());
    return command;
  }

  private List<String> registryCommand() {
    List<String> command = java(REGISTRY, settings.servicesClasspath(), List.of("-Xmx256m"));
    command.add(RegistryMain.class.getName());
    command.addAll(
        List.of(
            "--bootstrap", bootstrapServers(), "--port", String.valueOf(settings.registryPort())));
    if (principals != null) {
      KafkaTls tls = kafkaTls();
      command.addAll(
          List.of(
              "--kafka-config",
              principals.file(Principal.REGISTRY).toString(),
              "--users-file",
              credentialsDir().resolve(StackCredentials.USERS_FILE).toString(),
              "--tls-keystore",
              tls.registryKeystore().path().toString(),
              "--tls-keystore-password-file",
              tls.registryKeystore().passwordFile().toString()));
    }
    return command;
  }

  private List<String> dashboardCommand() {
    List<String> command = java(DASHBOARD, settings.servicesClasspath(), List.of("-Xmx64m"));
    command.add(DashboardMain.class.getName());
    command.addAll(
        List.of(
            "--port",
            String.valueOf(settings.dashboardPort()),
            "--flink-conf-dir",
            flinkClientConfigDir().toString()));
    return command;
  }

  /** Formats the broker's log directory, once: later starts keep its data. */
  private void formatKafka() throws IOException {
    if (Files.exists(dir.resolve("kafka").resolve("meta.properties"))) {
      return;
    }
    List<String> command = java("kafka-format", settings.servicesClasspath(), List.of());
    command.addAll(
        List.of(
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            Uuid.randomUuid().toString(),
            "--config",
            dir.resolve("conf").resolve("server.properties").toString(),
            "--ignore-formatted"));
    if (security == KafkaSecurity.SECURED) {
      // the super user's SCRAM credential, written into the cluster metadata at format time (the
      // format runs once, on the first start)
      EmbeddedKafka.Credentials superUser = adminCredentials();
      command.addAll(
          List.of(
              "--add-scram",
              "SCRAM-SHA-512=[name="
                  + superUser.user()
                  + ",password="
                  + superUser.password()
                  + "]"));
    }
    runToEnd("kafka-format", command);
  }

  /** Flink's memory flags for a process, from the calculation Flink's start scripts run. */
  private List<String> bashJavaUtils(String command) throws IOException {
    List<String> java = java("bash-java-utils-" + command, settings.flinkClasspath(), List.of());
    java.addAll(
        List.of(
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            command,
            "--configDir",
            dir.resolve("conf").toString()));
    List<String> results =
        // One output file per command: the JobManager's and the TaskManagers' parameters are
        // computed at the same time, and a shared file made one read the other's output (a
        // TaskManager then started without its resource settings and exited).
        runToEnd("bash-java-utils-" + command, java).stream()
            .filter(l -> l.startsWith(BASH_JAVA_UTILS_PREFIX))
            .map(l -> l.substring(BASH_JAVA_UTILS_PREFIX.length()))
            .toList();
    if (results.isEmpty()) {
      throw new IOException(
          "Flink's BashJavaUtils " + command + " printed no result; see " + dir.resolve("logs"));
    }
    return results;
  }

  private List<String> runToEnd(String what, List<String> command) throws IOException {
    Path output = dir.resolve("logs").resolve(what + ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      if (!process.waitFor(START_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(what + " did not finish within " + START_BOUND + "; see " + output);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException(
          what + " failed (exit " + process.exitValue() + "):\n" + String.join("\n", lines));
    }
    return lines;
  }

  private void launch(String role, List<String> command) throws IOException {
    processes.put(role, ClusterProcess.launch(role, command, dir));
  }

  /**
   * Starts {@code mainClass} as {@code role} on the services' class path (Lethe's and Kafka's
   * jars), with the cluster's logging, for {@link ClusterApps}.
   */
  void launchService(String role, List<String> jvmFlags, String mainClass, List<String> args)
      throws IOException {
    List<String> command = java(role, settings.servicesClasspath(), jvmFlags);
    command.add(mainClass);
    command.addAll(args);
    launch(role, command);
  }

  /** The state directory, absolute. */
  Path stateDir() {
    return dir;
  }

  // ---------------------------------------------------------------- fault injection

  private String launchTaskManager() throws IOException {
    String role = TASK_MANAGER + nextTaskManager++;
    launch(role, taskManagerCommand(role));
    return role;
  }

  /**
   * Starts one more TaskManager and waits until it has registered.
   *
   * @return its index: its role and Flink resource id are {@code taskmanager-<index>}
   */
  public int startTaskManager() throws IOException {
    int expected = registeredTaskManagers() + 1;
    String role = launchTaskManager();
    awaitTaskManagers(expected);
    return taskManagerIndex(role);
  }

  /**
   * {@code kill -9} of TaskManager {@code index} (resource id {@code taskmanager-<index>}); its
   * temporary files are deleted, as an operator would after a crash.
   */
  public void killTaskManager(int index) throws IOException {
    String role = TASK_MANAGER + index;
    ClusterProcess process = processes.remove(role);
    if (process == null) {
      throw new IllegalArgumentException("no running TaskManager " + role);
    }
    process.kill();
    cleanUp(role);
  }

  /** The indexes of the TaskManagers this cluster runs. */
  public List<Integer> taskManagers() {
    return processes.keySet().stream()
        .filter(r -> r.startsWith(TASK_MANAGER))
        .map(LocalCluster::taskManagerIndex)
        .toList();
  }

  /** Stops the broker with SIGTERM (a controlled shutdown) and waits until it is gone. */
  public void stopBroker() throws IOException {
    ClusterProcess broker = processes.remove(KAFKA);
    if (broker != null) {
      broker.stop(Duration.ofSeconds(60));
    }
  }

  /** {@code kill -9} of the broker. */
  public void killBroker() throws IOException {
    ClusterProcess broker = processes.remove(KAFKA);
    if (broker != null) {
      broker.kill();
    }
  }

  /** Starts the broker again, on the same ports and log directories, and waits until it serves. */
  public void startBroker() throws IOException {
    if (processes.containsKey(KAFKA)) {
      throw new IllegalStateException("the broker still runs");
    }
    launchBroker();
    awaitBroker();
  }

  private void launchBroker() throws IOException {
    requireFree(settings.kafkaPort(), "--kafka-port");
    launch(KAFKA, kafkaCommand());
  }

  // ---------------------------------------------------------------- readiness

  /** Whether the broker answers a metadata request of the super user within a few seconds. */
  public boolean brokerReachable() {
    Map<String, Object> config;
    try {
      config = new HashMap<>(adminClientProperties());
    } catch (IOException e) {
      return false;
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    try (Admin client = Admin.create(config)) {
      return !client.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  private void awaitBroker() throws IOException {
    // An admin client logs a warning per failed connection: wait for the port to open first.
    awaitUp(
        KAFKA,
        () -> portOpen(settings.kafkaPort()),
        "the Kafka broker's port " + settings.kafkaPort());
    Map<String, Object> config = new HashMap<>(adminClientProperties());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    try (Admin admin = Admin.create(config)) {
      awaitUp(
          KAFKA,
          () -> {
            try {
              return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
              return false;
            }
          },
          "the Kafka broker at " + bootstrapServers());
    }
  }

  private void awaitTaskManagers(int count) throws IOException {
    awaitUp(
        JOB_MANAGER,
        () -> registeredTaskManagers() >= count,
        count + " TaskManager(s) registered at " + dashboardUrl());
  }

  /** TaskManagers registered with the JobManager, or -1 if it does not answer. */
  public int registeredTaskManagers() {
    try {
      return rest().overview().path("taskmanagers").asInt(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Polls {@code ready} until true; fails at once, with its log, if {@code role} has died. */
  void awaitUp(String role, BooleanSupplier ready, String what) throws IOException {
    Instant deadline = Instant.now().plus(START_BOUND);
    while (true) {
      if (ready.getAsBoolean()) {
        return;
      }
      for (ClusterProcess process : processes.values()) {
        if (!process.isAlive()) {
          throw new IOException(
              process.role()
                  + " exited while waiting for "
                  + what
                  + "; its log is "
                  + dir.resolve("logs").resolve(process.role() + ".log")
                  + ", its last output ("
                  + process.output()
                  + "):\n"
                  + process.tail(30)
                  + problemsInLog(process.role()));
        }
      }
      if (Instant.now().isAfter(deadline)) {
        ClusterProcess process = processes.get(role);
        throw new IOException(
            "no "
                + what
                + " within "
                + START_BOUND
                + (process == null ? "" : "; last output of " + role + ":\n" + process.tail(30)));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** The ERROR lines and exceptions of a process's log, for a start-up failure's message. */
  private String problemsInLog(String role) {
    Path log = dir.resolve("logs").resolve(role + ".log");
    try {
      List<String> problems =
          Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8).stream()
              .filter(line -> line.contains("ERROR") || line.contains("Exception"))
              .toList();
      return problems.isEmpty()
          ? ""
          : "\nerrors in "
              + log
              + ":\n"
              + String.join(
                  "\n", problems.subList(Math.max(0, problems.size() - 20), problems.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** Whether the registry answers {@code GET /subjects}, as the super user on a secured cluster. */
  boolean registryAnswers() {
    if (security == KafkaSecurity.INSECURE) {
      return httpOk(registryUrl() + "/subjects");
    }
    try (SchemaRegistryClient client =
        SchemaRegistryClient.create(registryUrl(), adminClientConfig().registryProperties())) {
      client.subjects();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean portOpen(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean httpOk(String url) {
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void requireFree(int port, String option) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("localhost", port));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "port "
              + port
              + " ("
              + option
              + ") is in use; stop what listens there or choose another");
    }
  }

  // ---------------------------------------------------------------- addresses and status

  /** The settings this cluster runs with. */
  public ClusterSettings settings() {
    return settings;
  }

  /** The read-only Flink dashboard. */
  public String dashboardUrl() {
    return "http://localhost:" + settings.dashboardPort();
  }

  /** The JobManager's REST API, for clients with the cluster's client certificate. */
  public String restUrl() {
    return "https://localhost:" + settings.restPort();
  }

  /**
   * The Flink client configuration directory (its {@code config.yaml}) with the REST address and
   * the client certificate, for {@code lethe job --flink-conf-dir} and Flink's CLI ({@code
   * FLINK_CONF_DIR}).
   */
  public Path flinkClientConfigDir() {
    return flinkRestDir().resolve(FlinkRestCredentials.CLIENT_CONFIG_DIR);
  }

  private Path flinkRestDir() {
    return dir.resolve("security").resolve("flink-rest");
  }

  /** The JobManager's REST address as {@code lethe job --cluster} takes it. */
  public String jobManagerAddress() {
    return "localhost:" + settings.restPort();
  }

  public String bootstrapServers() {
    return "localhost:" + settings.kafkaPort();
  }

  /** The registry: HTTPS with basic auth on a secured cluster, plain HTTP on an open one. */
  public String registryUrl() {
    return (security == KafkaSecurity.SECURED ? "https" : "http")
        + "://127.0.0.1:"
        + settings.registryPort();
  }

  /**
   * The file of the token the model service and the status endpoint take ({@code
   * --http-token-file}); empty for an open cluster.
   */
  public Optional<Path> httpTokenFile() {
    Path file = credentialsDir().resolve(StackCredentials.TOKEN_FILE);
    return security == KafkaSecurity.SECURED && Files.isRegularFile(file)
        ? Optional.of(file)
        : Optional.empty();
  }

  /** Whether Kafka authenticates and authorizes clients. */
  public KafkaSecurity security() {
    return security;
  }

  /**
   * The client properties file of {@code principal}, for {@code --kafka-config}; empty for an open
   * cluster.
   */
  public Optional<Path> clientFile(Principal principal) {
    return Optional.ofNullable(principals).map(p -> p.file(principal));
  }

  /**
   * The options of {@code lethe job} that submit to this cluster as the job's principal: {@code
   * --cluster}, {@code --flink-conf-dir}, {@code --bootstrap}, {@code --registry} and, secured,
   * {@code --kafka-config}.
   */
  public List<String> jobSubmissionOptions() {
    List<String> options =
        new ArrayList<>(
            List.of(
                "--cluster", jobManagerAddress(),
                "--flink-conf-dir", flinkClientConfigDir().toString(),
                "--bootstrap", bootstrapServers(),
                "--registry", registryUrl()));
    clientFile(Principal.JOB)
        .ifPresent(file -> options.addAll(List.of("--kafka-config", file.toString())));
    return options;
  }

  /** The Kafka client properties of {@code principal}; none for an open cluster. */
  public KafkaClientConfig clientConfig(Principal principal) {
    return clientFile(principal).map(KafkaClientConfig::load).orElse(KafkaClientConfig.none());
  }

  /**
   * The super user's Kafka client properties, for tools that feed and observe every topic (tests,
   * the soak); none for an open cluster.
   */
  public KafkaClientConfig adminClientConfig() {
    return principals == null
        ? KafkaClientConfig.none()
        : KafkaClientConfig.load(principals.adminFile());
  }

  /** A REST client for the JobManager, with the cluster's client certificate. */
  public FlinkRestClient rest() {
    if (restSsl == null) {
      Configuration client =
          GlobalConfiguration.loadConfiguration(flinkClientConfigDir().toString());
      restSsl =
          FlinkRestTls.fromConfiguration(client)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          flinkClientConfigDir() + " does not configure the client certificate"))
              .sslContext();
    }
    return new FlinkRestClient(restUrl(), restSsl);
  }

  /** Every running process of the cluster and every process they started. */
  public List<ProcessHandle> processTrees() {
    List<ProcessHandle> trees = new ArrayList<>();
    processes.values().forEach(p -> trees.addAll(p.tree()));
    return trees;
  }

  /** Each role that runs, with its pid. */
  public Map<String, Long> running() {
    Map<String, Long> running = new LinkedHashMap<>();
    processes.forEach(
        (role, p) -> {
          if (p.isAlive()) {
            running.put(role, p.pid());
          }
        });
    return running;
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Stops every process (the model service and the ingress first, then Flink, the registry and the
   * broker; SIGTERM, SIGKILL after a grace period, then any process one of them started) and
   * deletes the temporary files; configuration, logs, Kafka's data and checkpoints stay.
   */
  @Override
  public void close() {
    List<String> order = new ArrayList<>(List.of(MODEL_SERVICE, INGRESS, DASHBOARD));
    processes.keySet().stream().filter(r -> r.startsWith(TASK_MANAGER)).forEach(order::add);
    order.addAll(List.of(JOB_MANAGER, REGISTRY, KAFKA));
    for (String role : order) {
      ClusterProcess process = processes.remove(role);
      if (process == null) {
        continue;
      }
      try {
        process.stop(role.equals(KAFKA) ? Duration.ofSeconds(60) : Duration.ofSeconds(20));
      } catch (IOException e) {
        log.println("lethe cluster: stopping " + role + " failed: " + e.getMessage());
      }
      cleanUp(role);
    }
    deleteTree(dir.resolve("tmp"));
    // The JobManager's upload folder (flink-web-<uuid>) is temporary too.
    deleteTree(dir.resolve("uploads"));
  }

  private void cleanUp(String role) {
    deleteTree(dir.resolve("tmp").resolve(role));
    try {
      Files.deleteIfExists(ClusterProcess.pidFile(dir, role));
    } catch (IOException e) {
      log.println("lethe cluster: cannot delete the pid file of " + role + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> split(String line) {
    return List.of(line.trim().split("\\s+"));
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static Runnable unchecked(IoAction action) {
    return () -> {
      try {
        action.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static <T> java.util.function.Supplier<T> uncheckedGet(IoSupplier<T> supplier) {
    return () -> {
      try {
        return supplier.get();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw e;
    }
  }
}
