package io.lethe.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.local.kafka.EmbeddedKafka.Credentials;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.LetheAcls.Right;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secured embedded broker with Lethe's principals: every principal can write and read exactly
 * the topics {@link LetheAcls} grants it, through the client properties file written for it, and
 * anonymous clients, wrong passwords and PLAIN logins are refused.
 */
class SecuredKafkaIT {
  private static final Duration SHORT = Duration.ofSeconds(5);
  private static final LetheAcls ACLS = LetheAcls.defaults();

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static KafkaPrincipals principals;
  private static List<String> topics;

  @BeforeAll
  static void start() throws Exception {
    Credentials admin = new Credentials("lethe-admin", KafkaPrincipals.newPassword());
    kafka = EmbeddedKafka.startSecured(admin);
    principals =
        KafkaPrincipals.provision(
            kafka.bootstrapServers(),
            kafka.adminClientProperties(),
            Map.of("security.protocol", "SASL_PLAINTEXT"),
            ACLS,
            dir.resolve("kafka"),
            admin);
    topics = new ArrayList<>(ACLS.topics().all());
    topics.add(ACLS.registryTopic());
    topics.add(ACLS.ingressApplicationId() + "-store-changelog");
    try (Admin client = Admin.create(config(principals.adminFile()))) {
      client
          .createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyPrincipalWritesAndReadsExactlyWhatTheTableGrants() {
    for (Principal principal : Principal.values()) {
      Map<String, Object> config = config(principals.file(principal));
      List<Right> rights = ACLS.rights(principal);
      try (KafkaProducer<byte[], byte[]> producer = producer(config);
          KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
        for (String topic : topics) {
          boolean mayWrite = grants(rights, topic, AclOperation.WRITE);
          boolean mayRead = grants(rights, topic, AclOperation.READ);
          assertThat(canWrite(producer, topic))
              .as("%s writes %s", principal, topic)
              .isEqualTo(mayWrite);
          assertThat(canRead(consumer, topic))
              .as("%s reads %s", principal, topic)
              .isEqualTo(mayRead);
        }
      }
    }
  }

  @Test
  void theTableGrantsEachComponentWhatItUses() {
    assertThat(grants(ACLS.rights(Principal.PRODUCER), "lethe.samples.raw", AclOperation.WRITE))
        .isTrue();
    assertThat(grants(ACLS.rights(Principal.PRODUCER), "lethe.samples", AclOperation.WRITE))
        .isFalse();
    assertThat(grants(ACLS.rights(Principal.PRIVACY), "lethe.receipts", AclOperation.READ))
        .isTrue();
    assertThat(grants(ACLS.rights(Principal.JOB), "lethe.models", AclOperation.WRITE)).isTrue();
    assertThat(grants(ACLS.rights(Principal.MODEL_SERVICE), "lethe.models", AclOperation.WRITE))
        .isFalse();
  }

  @Test
  void transactionalIdsArePrefixedPerComponent() {
    Map<String, Object> job = config(principals.file(Principal.JOB));
    assertThat(initTransactions(job, ACLS.jobPrefix() + "-0-1")).isTrue();
    assertThat(initTransactions(job, ACLS.ingressApplicationId() + "-0-1")).isFalse();
    Map<String, Object> producer = config(principals.file(Principal.PRODUCER));
    assertThat(initTransactions(producer, ACLS.jobPrefix() + "-0-1")).isFalse();
  }

  @Test
  void anonymousClientsAreRefused() {
    Map<String, Object> anonymous = new HashMap<>();
    anonymous.put("bootstrap.servers", kafka.bootstrapServers());
    anonymous.put("default.api.timeout.ms", (int) SHORT.toMillis());
    anonymous.put("request.timeout.ms", (int) SHORT.toMillis());
    try (Admin client = Admin.create(anonymous)) {
      assertThatThrownBy(() -> client.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    Map<String, Object> wrong = config(principals.file(Principal.PRODUCER));
    wrong.putAll(
        new Credentials("lethe-producer", "not-the-password")
            .scramClientProperties(
                org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT));
    assertRefused(wrong, SaslAuthenticationException.class);
  }

  @Test
  void plainLoginsAreRefusedEvenForKafkasWellKnownTestUsers() throws Exception {
    Map<String, Object> plain = config(principals.file(Principal.PRODUCER));
    plain.put("sasl.mechanism", "PLAIN");
    plain.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"plain-admin\" password=\"plain-admin-secret\";");
    assertRefused(plain, UnsupportedSaslMechanismException.class);
  }

  @Test
  void propertiesFilesAreTheOwnersOnly() throws Exception {
    for (Principal principal : Principal.values()) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(principals.file(principal))))
          .isEqualTo("rw-------");
    }
  }

  private static void assertRefused(Map<String, Object> config, Class<? extends Throwable> cause) {
    config.put("default.api.timeout.ms", (int) SHORT.toMillis());
    config.put("request.timeout.ms", (int) SHORT.toMillis());
    try (Admin client = Admin.create(config)) {
      assertThatThrownBy(() -> client.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(cause);
    }
  }

  /** Whether {@code rights} allow {@code operation} on {@code topic}, as Kafka would decide. */
  private static boolean grants(List<Right> rights, String topic, AclOperation operation) {
    return rights.stream()
        .anyMatch(
            r ->
                r.type() == ResourceType.TOPIC
                    && (r.operation() == operation || r.operation() == AclOperation.ALL)
                    && (r.pattern() == PatternType.LITERAL
                        ? r.name().equals(topic)
                        : topic.startsWith(r.name())));
  }

  private static boolean canWrite(KafkaProducer<byte[], byte[]> producer, String topic) {
    try {
      producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(30, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException) {
        return false;
      }
      throw new AssertionError("writing " + topic + " failed otherwise", e);
    } catch (Exception e) {
      throw new AssertionError("writing " + topic + " failed otherwise", e);
    }
  }

  private static boolean canRead(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    consumer.assign(List.of(new TopicPartition(topic, 0)));
    consumer.seekToBeginning(consumer.assignment());
    try {
      consumer.poll(SHORT);
      return true;
    } catch (AuthorizationException e) {
      return false;
    } finally {
      consumer.unsubscribe();
    }
  }

  private static boolean initTransactions(Map<String, Object> config, String transactionalId) {
    Map<String, Object> transactional = new HashMap<>(config);
    transactional.put("transactional.id", transactionalId);
    transactional.put("max.block.ms", (int) SHORT.toMillis());
    try (KafkaProducer<byte[], byte[]> producer = producer(transactional)) {
      producer.initTransactions();
      return true;
    } catch (TransactionalIdAuthorizationException e) {
      return false;
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> config) {
    Map<String, Object> producer = new HashMap<>(config);
    producer.put("max.block.ms", (int) SHORT.toMillis());
    return new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A client configuration from a properties file, as Kafka's tools read one. */
  private static Map<String, Object> config(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + file, e);
    }
    Map<String, Object> config = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> config.put(k, properties.getProperty(k)));
    config.put("bootstrap.servers", kafka.bootstrapServers());
    return config;
  }
}
