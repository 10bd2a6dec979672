package io.lethe.testing;

import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that starts a real Kafka broker and the embedded schema registry once per test
 * class, with helpers to create topics, produce and consume typed records.
 *
 * <p>Register it on a static field: {@code @RegisterExtension static final KafkaExtension kafka =
 * new KafkaExtension();}. The broker is an in-JVM KRaft broker by default; with {@code
 * -Dlethe.test.kafka=testcontainers} and a Docker engine present, a Testcontainers Kafka runs the
 * same tests. Without Docker (as on the CI machines) the in-JVM broker is used, so the tests always
 * run.
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {
  /** System property choosing the broker: {@code embedded} (default) or {@code testcontainers}. */
  public static final String BACKEND_PROPERTY = "lethe.test.kafka";

  private static final Logger log = LoggerFactory.getLogger(KafkaExtension.class);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

  private KafkaBackend kafka;
  private EmbeddedSchemaRegistry registry;
  private SchemaRegistryClient registryClient;
  private Admin admin;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = startBackend();
    try {
      registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
      registryClient = newRegistryClient();
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    } catch (Exception | Error e) {
      afterAll(context);
      throw e;
    }
    log.info(
        "Kafka ({}) at {}, schema registry at {}",
        kafka.description(),
        kafka.bootstrapServers(),
        registry.url());
  }

  private static KafkaBackend startBackend() throws Exception {
    String wanted = System.getProperty(BACKEND_PROPERTY, "embedded");
    if (wanted.equals("testcontainers")) {
      if (ContainerKafka.dockerAvailable()) {
        return ContainerKafka.start();
      }
      log.warn(
          "{}=testcontainers but no Docker engine answers; using the in-JVM broker",
          BACKEND_PROPERTY);
    } else if (!wanted.equals("embedded")) {
      throw new IllegalArgumentException(
          BACKEND_PROPERTY + "=" + wanted + " is not one of: embedded, testcontainers");
    }
    return InJvmKafka.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // Kafka starts non-daemon threads: close everything, or the test JVM never exits.
    closeQuietly(admin);
    closeQuietly(registryClient);
    closeQuietly(registry);
    closeQuietly(kafka);
    admin = null;
    registryClient = null;
    registry = null;
    kafka = null;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("Closing {} failed", closeable, e);
    }
  }

  /** The broker's bootstrap address. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The embedded schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }

  /** A registry client shared by this test class's helpers (and by serdes the test builds). */
  public SchemaRegistryClient registryClient() {
    return registryClient;
  }

  /** A new registry client with an empty cache; the caller closes it. */
  public SchemaRegistryClient newRegistryClient() {
    return new SchemaRegistryClient(RegistryClientSettings.of(registryUrl()));
  }

  /** An admin client for this broker, owned by the extension. */
  public Admin admin() {
    return admin;
  }

  /** Creates a topic with one replica and waits until it exists. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
    try {
      admin
          .createTopics(List.of(topic))
          .all()
          .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name, e);
    }
  }

  /** Creates a topic with one partition and default settings. */
  public void createTopic(String name) {
    createTopic(name, 1, Map.of());
  }

  /** A topic name no other test uses, e.g. {@code roundtrip-3f2a9c}. */
  public static String uniqueTopicName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Producer properties for this broker (acks=all, idempotent). */
  public Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return props;
  }

  /** Consumer properties for a new group reading from the earliest offset, committed data only. */
  public Properties consumerProperties() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }

  /** Sends one record and waits for the broker's acknowledgement. */
  public <K, V> RecordMetadata produce(
      String topic, K key, V value, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    try (KafkaProducer<K, V> producer =
        new KafkaProducer<>(producerProperties(), keySerializer, valueSerializer)) {
      return producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not produce to " + topic, e);
    }
  }

  /** Sends one record with the topic's own serdes. */
  public <K, V> RecordMetadata produce(Topic<K, V> topic, K key, V value) {
    return produce(
        topic.name(), key, value, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /**
   * Reads {@code count} records from the beginning of {@code topic}.
   *
   * @throws AssertionError if fewer arrive within {@code bound}
   */
  public <K, V> List<ConsumerRecord<K, V>> consume(
      String topic,
      int count,
      Duration bound,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer) {
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    long deadline = System.nanoTime() + bound.toNanos();
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(consumerProperties(), keyDeserializer, valueDeserializer)) {
      consumer.subscribe(List.of(topic));
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    if (records.size() < count) {
      throw new AssertionError(
          "expected "
              + count
              + " records on "
              + topic
              + " within "
              + bound
              + ", got "
              + records.size());
    }
    return records;
  }

  /** Reads {@code count} records with the topic's own serdes. */
  public <K, V> List<ConsumerRecord<K, V>> consume(Topic<K, V> topic, int count, Duration bound) {
    return consume(
        topic.name(),
        count,
        bound,
        topic.keySerde().deserializer(),
        topic.valueSerde().deserializer());
  }
}
