package io.lethe.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka broker in this JVM (one combined broker and controller): the same broker code
 * as production, started in a few seconds. The embedded default ({@code lethe demo}, the
 * benchmarks) and the tests run on it.
 *
 * <ul>
 *   <li>{@link #start()}: open (PLAINTEXT, no authorizer), from Kafka's own test kit; what the
 *       tests use.
 *   <li>{@link #startSecured}: SASL/SCRAM and Kafka's standard authorizer, on the loopback
 *       interface only. It runs Kafka's {@code KafkaRaftServer} with a configuration of its own,
 *       because the test kit binds its ports on every interface.
 * </ul>
 *
 * <p>This module is for running Lethe on one machine and for tests; no product module depends on
 * it.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The SASL mechanism of the secured broker's client listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  /** The loopback address a secured broker binds and advertises. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final String bootstrapServers;
  private final Credentials admin;
  private final AutoCloseable stop;

  private EmbeddedKafka(String bootstrapServers, Credentials admin, AutoCloseable stop) {
    this.bootstrapServers = bootstrapServers;
    this.admin = admin;
    this.stop = stop;
  }

  /** A SASL user name and password. {@link #toString} hides the password. */
  public record Credentials(String user, String password) {
    /** Checks that both are set. */
    public Credentials {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    /**
     * The Kafka client properties that log in as this user with SCRAM-SHA-512 over {@code protocol}
     * ({@code SASL_PLAINTEXT} or {@code SASL_SSL}).
     */
    public Map<String, String> scramClientProperties(SecurityProtocol protocol) {
      return Map.of(
          "security.protocol",
          protocol.name,
          "sasl.mechanism",
          SCRAM_MECHANISM,
          "sasl.jaas.config",
          jaas("org.apache.kafka.common.security.scram.ScramLoginModule"));
    }

    /** A client-side JAAS configuration that logs in as this user with {@code loginModule}. */
    public String jaas(String loginModule) {
      return loginModule
          + " required username="
          + quoted(user)
          + " password="
          + quoted(password)
          + ";";
    }

    /**
     * The PLAIN JAAS configuration of a listener that accepts this user only, and logs in as it:
     * what a KRaft controller listener takes, since controllers cannot check SCRAM credentials.
     */
    public String plainListenerJaas() {
      return "org.apache.kafka.common.security.plain.PlainLoginModule required username="
          + quoted(user)
          + " password="
          + quoted(password)
          + " user_"
          + user
          + "="
          + quoted(password)
          + ";";
    }

    /** The {@code --add-scram} argument of Kafka's storage format for this user. */
    public String formatScramArgument() {
      return SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    @Override
    public String toString() {
      return "Credentials[user=" + user + ", password=[hidden]]";
    }
  }

  /**
   * The broker settings that secure a KRaft node whose client listener is named {@code
   * clientListener} and whose controller listener is {@code CONTROLLER}: SCRAM-SHA-512 for clients
   * and between brokers, with the broker logged in as {@code admin}; PLAIN with {@code admin} only
   * on the controller listener (KRaft controllers cannot check SCRAM); the standard authorizer with
   * {@code admin} the only super user and everyone else denied what no ACL allows.
   */
  public static Map<String, String> securitySettings(Credentials admin, String clientListener) {
    String listener = clientListener.toLowerCase(java.util.Locale.ROOT);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    settings.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
    settings.put(
        "listener.name." + listener + ".scram-sha-512.sasl.jaas.config",
        admin.jaas("org.apache.kafka.common.security.scram.ScramLoginModule"));
    settings.put("sasl.mechanism.controller.protocol", "PLAIN");
    settings.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    settings.put("listener.name.controller.plain.sasl.jaas.config", admin.plainListenerJaas());
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    settings.put("allow.everyone.if.no.acl.found", "false");
    settings.put("super.users", "User:" + admin.user());
    return settings;
  }

  /**
   * What a single-node broker needs besides its listeners: internal topics it can replicate, groups
   * that start at once, and records as large as a model snapshot.
   */
  public static Map<String, String> singleNodeSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("offsets.topic.replication.factor", "1");
    settings.put("offsets.topic.num.partitions", "1");
    settings.put("transaction.state.log.replication.factor", "1");
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("transaction.state.log.num.partitions", "1");
    settings.put("share.coordinator.state.topic.replication.factor", "1");
    settings.put("share.coordinator.state.topic.min.isr", "1");
    // Consumer groups start at once instead of waiting for more members.
    settings.put("group.initial.rebalance.delay.ms", "0");
    // Model snapshots can be larger than Kafka's 1 MiB default (TopicNames.MAX_SNAPSHOT_BYTES).
    settings.put("message.max.bytes", String.valueOf(64 * 1024 * 1024));
    settings.put("replica.fetch.max.bytes", String.valueOf(64 * 1024 * 1024));
    return settings;
  }

  /**
   * Formats and starts a single-node cluster without authentication (PLAINTEXT, no authorizer) and
   * waits until its broker is ready: what the tests use.
   */
  public static EmbeddedKafka start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
    singleNodeSettings().forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      quietly("format the broker's storage", cluster::format);
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster.bootstrapServers(), null, cluster);
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Formats and starts a single-node cluster that authenticates every client with
   * SASL/SCRAM-SHA-512 over {@code SASL_PLAINTEXT} and authorizes every request with Kafka's
   * standard authorizer (anonymous and unlisted principals are denied), bound to {@value #LOOPBACK}
   * only, and waits until its broker is ready.
   *
   * <p>{@code admin} is the only user at first and the only super user: its SCRAM credential is
   * written into the cluster metadata when the storage is formatted ({@code kafka-storage format
   * --add-scram}), and the broker authenticates to itself with it. Add users and ACLs with an
   * {@code Admin} client built from {@link #adminClientProperties()}. The broker's data lives in a
   * temporary directory, deleted on {@link #close()}.
   */
  public static EmbeddedKafka startSecured(Credentials admin) throws Exception {
    Objects.requireNonNull(admin, "admin");
    Path dir = Files.createTempDirectory("lethe-kafka");
    try {
      int brokerPort = freeLoopbackPort();
      int controllerPort = freeLoopbackPort();
      Properties config = new Properties();
      config.put("process.roles", "broker,controller");
      config.put("node.id", "1");
      config.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
      config.put(
          "listeners",
          "SASL_PLAINTEXT://"
              + LOOPBACK
              + ":"
              + brokerPort
              + ",CONTROLLER://"
              + LOOPBACK
              + ":"
              + controllerPort);
      config.put("advertised.listeners", "SASL_PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
      config.put("controller.listener.names", "CONTROLLER");
      config.put("inter.broker.listener.name", "SASL_PLAINTEXT");
      config.put(
          "listener.security.protocol.map",
          "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
      config.put("log.dirs", dir.resolve("data").toString());
      config.putAll(singleNodeSettings());
      config.putAll(securitySettings(admin, "SASL_PLAINTEXT"));
      Path file = writeOwnerOnly(dir.resolve("server.properties"), config);
      format(file, admin);
      KafkaRaftServer server =
          new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
      EmbeddedKafka kafka =
          new EmbeddedKafka(
              LOOPBACK + ":" + brokerPort,
              admin,
              () -> {
                server.shutdown();
                server.awaitShutdown();
                deleteTree(dir);
              });
      try {
        server.startup();
        kafka.awaitReady();
        return kafka;
      } catch (Exception | Error e) {
        kafka.close();
        throw e;
      }
    } catch (Exception | Error e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** Formats the node's storage with {@code admin}'s SCRAM credential, as {@code kafka-storage}. */
  private static void format(Path config, Credentials admin) throws Exception {
    String[] args = {
      "format",
      "--cluster-id",
      Uuid.randomUuid().toString(),
      "--config",
      config.toString(),
      "--add-scram",
      admin.formatScramArgument()
    };
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code = StorageTool.execute(args, new PrintStream(printed, true, StandardCharsets.UTF_8));
    LOG.debug("Formatted the broker's storage: {}", printed.toString(StandardCharsets.UTF_8));
    if (code != 0) {
      throw new IllegalStateException(
          "formatting the broker's storage failed: " + printed.toString(StandardCharsets.UTF_8));
    }
  }

  /** Waits until the broker answers the super user, at most {@link #READY_TIMEOUT}. */
  private void awaitReady() throws Exception {
    Map<String, Object> config = new HashMap<>(adminClientProperties());
    config.put("bootstrap.servers", bootstrapServers);
    config.put("request.timeout.ms", 5_000);
    config.put("default.api.timeout.ms", (int) READY_TIMEOUT.toMillis());
    try (Admin client = Admin.create(config)) {
      client.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Runs a step that prints to standard output, which is the demo's report stream: Kafka's
   * formatter prints the bootstrap metadata records. They go to the debug log instead; the swap of
   * {@code System.out} lasts the few milliseconds of the step, at start-up.
   */
  private static void quietly(String what, ThrowingRunnable step) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      step.run();
    } finally {
      System.setOut(stdout);
      LOG.debug("{}: {}", what, printed.toString(StandardCharsets.UTF_8));
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** A port that is free on the loopback interface now. */
  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return socket.getLocalPort();
    }
  }

  private static Path writeOwnerOnly(Path file, Properties config) throws IOException {
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      config.store(out, "Lethe's embedded secured broker");
    }
    return file;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** The bootstrap address clients connect to. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Whether clients must authenticate ({@link #startSecured}). */
  public boolean secured() {
    return admin != null;
  }

  /**
   * The super user's client properties ({@code security.protocol}, {@code sasl.*}) for a secured
   * broker; none for an open one.
   */
  public Map<String, String> adminClientProperties() {
    return admin == null ? Map.of() : admin.scramClientProperties(SecurityProtocol.SASL_PLAINTEXT);
  }

  /** A JAAS option value: quoted, with quotes and backslashes escaped. */
  static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers + (secured() ? ", secured" : "") + "]";
  }

  @Override
  public void close() throws Exception {
    stop.close();
  }
}
