package io.lethe.serving;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.records.LearnerHeartbeat;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the learner status topic from the beginning (it is compacted: the newest heartbeat per
 * model survives) and offers every heartbeat to the {@link LearnerStatusTable}, on a thread of its
 * own.
 *
 * <p>Like the {@link SnapshotFollower} it reads without a consumer group and {@code
 * read_committed}: the job writes heartbeats in the transactions its checkpoints commit, and a
 * heartbeat of an aborted transaction must not count as a sign of life. It does not gate readiness:
 * the service serves its models whether or not the learner is alive, and says which in {@code GET
 * /v1/models/{model}} and the metrics.
 */
final class LearnerStatusFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LearnerStatusFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String topic;
  private final Deserializer<LearnerHeartbeat> values;
  private final LearnerStatusTable table;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * The consumer's name, after the {@code --kafka-config} file's {@code client.id} if it has one.
   */
  static final String CLIENT_ID = "lethe-model-service-learner-status";

  LearnerStatusFollower(
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      String topic,
      Deserializer<LearnerHeartbeat> values,
      LearnerStatusTable table) {
    this.topic = topic;
    this.values = values;
    this.table = table;
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the job creates the topic compacted; a reader must not create it with broker defaults
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    Map<String, Object> config = kafkaConfig.layer(bootstrapServers, CLIENT_ID, props);
    LOG.info("Learner status consumer configuration: {}", KafkaClientConfig.describe(config));
    this.consumer =
        kafkaConfig.create(
            "consumer " + config.get(ConsumerConfig.CLIENT_ID_CONFIG),
            () ->
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()));
    this.thread = new Thread(this::run, "lethe-learner-status-follower");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The consumer's own metrics (fetch lag and rates among them), for {@code /metrics}. */
  Map<MetricName, ? extends Metric> consumerMetrics() {
    return consumer.metrics();
  }

  private void run() {
    try {
      assignFromBeginning();
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          handle(record);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        LOG.error("the learner status follower was woken up while running", e);
      }
    } catch (RuntimeException | Error e) {
      LOG.error(
          "the learner status follower stopped; learners will show as not running or unknown", e);
    } finally {
      consumer.close();
    }
  }

  private void assignFromBeginning() {
    List<PartitionInfo> partitions = List.of();
    boolean logged = false;
    while (running && partitions.isEmpty()) {
      partitions = SnapshotFollower.partitionsOrNone(consumer, topic);
      if (partitions.isEmpty()) {
        if (!logged) {
          LOG.info("waiting for topic {} to exist; learner statuses are unknown until then", topic);
          logged = true;
        }
        LockSupport.parkNanos(POLL.toNanos());
      }
    }
    List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    LOG.info("following {} from the beginning", topic);
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return; // a tombstone: nothing to learn about the learner
    }
    try {
      table.offer(values.deserialize(record.topic(), record.value()));
    } catch (RuntimeException e) {
      LOG.warn(
          "ignoring the record at offset {} of {}: it does not decode as a LearnerHeartbeat: {}",
          record.offset(),
          topic,
          e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
