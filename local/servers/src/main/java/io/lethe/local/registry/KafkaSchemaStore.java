package io.lethe.local.registry;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable log: one compacted, single-partition Kafka topic holding every change in
 * the order it was acknowledged.
 *
 * <p>One registry instance writes a topic at a time; it reads the topic only once, at start-up.
 */
final class KafkaSchemaStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

  /** Pause between describe attempts while a new topic's metadata propagates. */
  private static final Duration METADATA_RETRY = Duration.ofMillis(100);

  /** One partition gives the log a single order; Confluent's registry requires the same. */
  private static final int PARTITIONS = 1;

  /** Replicate like Kafka's own internal topics, limited by the brokers there are. */
  private static final int MAX_REPLICATION_FACTOR = 3;

  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final String bootstrapServers;
  private final String topic;
  private final StoreRecordCodec codec = new StoreRecordCodec();
  private final KafkaProducer<byte[], byte[]> producer;

  private KafkaSchemaStore(String bootstrapServers, Map<String, String> client, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    Properties props = new Properties();
    props.putAll(client);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "lethe-schema-registry-" + topic);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Creates the topic if it is missing, replays it from the beginning to its current end into
   * {@code replay}, and returns a store ready to append. Its Kafka clients start from {@code
   * client}, e.g. {@code security.protocol} and {@code sasl.*} for a secured broker.
   *
   * @throws IllegalStateException naming the bootstrap servers and topic if Kafka cannot be reached
   *     within {@code timeout} or the topic is unusable
   */
  static KafkaSchemaStore open(
      String bootstrapServers,
      Map<String, String> client,
      String topic,
      Duration timeout,
      Consumer<StoreEvent> replay) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ensureTopic(bootstrapServers, client, topic, timeout, deadline);
    int replayed = replayTopic(bootstrapServers, client, topic, timeout, deadline, replay);
    LOG.info("Schema registry replayed {} records from topic '{}'", replayed, topic);
    try {
      return new KafkaSchemaStore(bootstrapServers, client, topic);
    } catch (KafkaException e) {
      throw startFailure(bootstrapServers, topic, describe(e), e);
    }
  }

  /**
   * Writes {@code event} and waits until all in-sync replicas have it.
   *
   * @throws RegistryError 50001 if Kafka did not acknowledge the write
   */
  void append(StoreEvent event) {
    StoreRecordCodec.KeyValue record = codec.encode(event);
    try {
      producer
          .send(new ProducerRecord<>(topic, 0, record.key(), record.value()))
          .get(WRITE_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryError.storeError("interrupted while writing to topic '" + topic + "'", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw RegistryError.storeError(
          "could not write to topic '"
              + topic
              + "' at "
              + bootstrapServers
              + ": "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          cause);
    }
  }

  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }

  private static void ensureTopic(
      String bootstrapServers,
      Map<String, String> client,
      String topic,
      Duration timeout,
      long deadline) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "lethe-schema-registry-admin-" + topic);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // Kafka refuses an API timeout shorter than the per-request timeout.
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMillis(timeout));
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      throw startFailure(bootstrapServers, topic, describe(e), e);
    }
    try {
      Collection<Node> brokers =
          admin.describeCluster().nodes().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      short replicationFactor =
          (short) Math.max(1, Math.min(MAX_REPLICATION_FACTOR, brokers.size()));
      NewTopic newTopic =
          new NewTopic(topic, PARTITIONS, replicationFactor)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      try {
        admin
            .createTopics(List.of(newTopic))
            .all()
            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        LOG.info(
            "Created schema registry topic '{}' (replication factor {})", topic, replicationFactor);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      TopicDescription description = describeWhenKnown(admin, topic, deadline);
      if (description.partitions().size() != PARTITIONS) {
        throw new IllegalStateException(
            "Schema registry topic '"
                + topic
                + "' at "
                + bootstrapServers
                + " has "
                + description.partitions().size()
                + " partitions; it needs exactly "
                + PARTITIONS
                + " so that the registry's log has a single order. Use another topic.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw startFailure(bootstrapServers, topic, "interrupted", e);
    } catch (TimeoutException e) {
      throw startFailure(
          bootstrapServers, topic, "no answer from Kafka within " + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw startFailure(bootstrapServers, topic, describe(e.getCause()), e.getCause());
    } catch (KafkaException e) {
      throw startFailure(bootstrapServers, topic, describe(e), e);
    } finally {
      admin.close(CLOSE_TIMEOUT);
    }
  }

  /**
   * Describes the topic, waiting while the broker does not know it yet: right after a create, a
   * KRaft broker may answer UNKNOWN_TOPIC_OR_PARTITION until the new metadata reaches it.
   */
  private static TopicDescription describeWhenKnown(Admin admin, String topic, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    while (true) {
      try {
        return admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
            .get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || remainingMillis(deadline) <= METADATA_RETRY.toMillis()) {
          throw e;
        }
        Thread.sleep(METADATA_RETRY.toMillis());
      }
    }
  }

  private static int replayTopic(
      String bootstrapServers,
      Map<String, String> client,
      String topic,
      Duration timeout,
      long deadline,
      Consumer<StoreEvent> replay) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lethe-schema-registry-reader-" + topic);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMillis(timeout));
    StoreRecordCodec codec = new StoreRecordCodec();
    TopicPartition partition = new TopicPartition(topic, 0);
    int replayed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end =
          consumer
              .endOffsets(List.of(partition), Duration.ofMillis(remainingMillis(deadline)))
              .get(partition);
      while (consumer.position(partition, Duration.ofMillis(remainingMillis(deadline))) < end) {
        if (remainingMillis(deadline) <= 0) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "replay stopped at offset "
                  + consumer.position(partition)
                  + " of "
                  + end
                  + " when the start-up time ran out");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Optional<StoreEvent> event = decode(codec, record, topic);
          if (event.isPresent()) {
            replay.accept(event.get());
            replayed++;
          }
        }
      }
    } catch (KafkaException e) {
      throw startFailure(
          bootstrapServers,
          topic,
          "could not read the topic within " + timeout.toSeconds() + " s: " + describe(e),
          e);
    }
    return replayed;
  }

  /** The registry's own topic must hold only what it wrote: a bad record stops the start-up. */
  private static Optional<StoreEvent> decode(
      StoreRecordCodec codec, ConsumerRecord<byte[], byte[]> record, String topic) {
    try {
      return codec.decode(record.key(), record.value());
    } catch (StoreRecordCodec.MalformedRecordException e) {
      throw new IllegalStateException(
          "Schema registry topic '"
              + topic
              + "' has a malformed record at partition "
              + record.partition()
              + " offset "
              + record.offset()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static int requestTimeoutMillis(Duration startupTimeout) {
    return (int) Math.min(startupTimeout.toMillis(), 10_000);
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    return root == e
        ? text
        : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }

  private static long remainingMillis(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private static IllegalStateException startFailure(
      String bootstrapServers, String topic, String reason, Throwable cause) {
    return new IllegalStateException(
        "Embedded schema registry could not start on Kafka topic '"
            + topic
            + "' at bootstrap servers "
            + bootstrapServers
            + ": "
            + reason,
        cause);
  }
}
