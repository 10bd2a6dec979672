package io.lethe.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.metadata.UserScramCredentialRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka broker in this JVM (one combined broker and controller), from Kafka's own test
 * kit: the same broker code as production, started in about 2.5 seconds. The embedded default
 * ({@code lethe demo}, the benchmarks) and the tests run on it.
 *
 * <p>This module is for running Lethe on one machine and for tests; no product module depends on
 * it.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The SASL mechanism of the secured broker's client listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  /** SCRAM's iteration count for the credentials the broker is formatted with (Kafka's minimum). */
  private static final int SCRAM_ITERATIONS = 4096;

  private final KafkaClusterTestKit cluster;
  private final Credentials admin;

  private EmbeddedKafka(KafkaClusterTestKit cluster, Credentials admin) {
    this.cluster = cluster;
    this.admin = admin;
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

    @Override
    public String toString() {
      return "Credentials[user=" + user + ", password=[hidden]]";
    }
  }

  /**
   * Formats and starts a single-node cluster without authentication (PLAINTEXT, no authorizer) and
   * waits until its broker is ready: what the tests use.
   */
  public static EmbeddedKafka start() throws Exception {
    return start(baseNodes().build(), Map.of(), null);
  }

  /**
   * Formats and starts a single-node cluster that authenticates every client with
   * SASL/SCRAM-SHA-512 over {@code SASL_PLAINTEXT} and authorizes every request with Kafka's
   * standard authorizer (anonymous and unlisted principals are denied), and waits until its broker
   * is ready.
   *
   * <p>{@code admin} is the only user at first and the only super user: its SCRAM credential is
   * written into the cluster metadata when the storage is formatted, as {@code kafka-storage format
   * --add-scram} does, and the broker authenticates to itself with it. The controller listener
   * takes {@code PLAIN} with the same credential only (KRaft controllers cannot check SCRAM). Add
   * users and ACLs with an {@code Admin} client built from {@link #adminClientProperties()}.
   */
  public static EmbeddedKafka startSecured(Credentials admin) throws Exception {
    Objects.requireNonNull(admin, "admin");
    TestKitNodes defaults = baseNodes().build();
    List<ApiMessageAndVersion> records = new ArrayList<>(defaults.bootstrapMetadata().records());
    records.add(scramRecord(admin));
    TestKitNodes nodes =
        baseNodes()
            .setBootstrapMetadata(BootstrapMetadata.fromRecords(records, "lethe secured broker"))
            .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
            .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
            .build();
    String external = nodes.brokerListenerName().value().toLowerCase(java.util.Locale.ROOT);
    String controller = nodes.controllerListenerName().value().toLowerCase(java.util.Locale.ROOT);
    String scram = SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT);
    // Listener-scoped settings win over the JAAS file that Kafka's test kit writes for its own
    // fixed PLAIN users, so those users cannot log in on either listener.
    Map<String, String> security =
        Map.of(
            "sasl.enabled.mechanisms",
            SCRAM_MECHANISM,
            "sasl.mechanism.inter.broker.protocol",
            SCRAM_MECHANISM,
            "listener.name." + external + ".sasl.enabled.mechanisms",
            SCRAM_MECHANISM,
            "listener.name." + external + "." + scram + ".sasl.jaas.config",
            admin.jaas("org.apache.kafka.common.security.scram.ScramLoginModule"),
            "sasl.mechanism.controller.protocol",
            "PLAIN",
            "listener.name." + controller + ".sasl.enabled.mechanisms",
            "PLAIN",
            "listener.name." + controller + ".plain.sasl.jaas.config",
            admin.plainListenerJaas(),
            "allow.everyone.if.no.acl.found",
            "false",
            "super.users",
            "User:" + admin.user());
    return start(nodes, security, admin);
  }

  private static TestKitNodes.Builder baseNodes() {
    return new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1);
  }

  private static EmbeddedKafka start(
      TestKitNodes nodes, Map<String, String> security, Credentials admin) throws Exception {
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
    security.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster =
        builder
            // A single node cannot replicate internal topics three times.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            // Consumer groups start at once instead of waiting for more members.
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            // Model snapshots can be larger than Kafka's 1 MiB default.
            .setConfigProp("message.max.bytes", String.valueOf(64 * 1024 * 1024))
            .build();
    try {
      formatQuietly(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster, admin);
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Formats the node's storage. Kafka's formatter prints the bootstrap metadata records to standard
   * output, which is the demo's report stream; they go to the debug log instead. The swap of {@code
   * System.out} lasts the few milliseconds of the format, at start-up.
   */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
      LOG.debug("Formatted the broker's storage: {}", printed.toString(StandardCharsets.UTF_8));
    }
  }

  /** The bootstrap address clients connect to. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
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

  /**
   * The credential record {@code kafka-storage format --add-scram} would write for {@code user}.
   */
  private static ApiMessageAndVersion scramRecord(Credentials user) {
    try {
      ScramFormatter formatter =
          new ScramFormatter(
              org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512);
      ScramCredential credential = formatter.generateCredential(user.password(), SCRAM_ITERATIONS);
      UserScramCredentialRecord record =
          new UserScramCredentialRecord()
              .setName(user.user())
              .setMechanism(ScramMechanism.SCRAM_SHA_512.type())
              .setSalt(credential.salt())
              .setStoredKey(credential.storedKey())
              .setServerKey(credential.serverKey())
              .setIterations(credential.iterations());
      return new ApiMessageAndVersion(record, (short) 0);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-512", e);
    }
  }

  /** A JAAS option value: quoted, with quotes and backslashes escaped. */
  static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
