package io.lethe.serving;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic from the beginning and offers every snapshot to the {@link ModelTable},
 * on a thread of its own.
 *
 * <p>It reads without a consumer group (every instance of the service reads everything) and with
 * {@code read_committed}, because the learner job writes snapshots in Kafka transactions. Values
 * are decoded here, not by the consumer, so that a record that does not decode is refused and
 * counted like any bad snapshot instead of stopping the poll loop. The service is <em>ready</em>
 * once it has read up to the end offsets the topic had when the follower started.
 */
final class SnapshotFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String topic;
  private final Deserializer<ModelSnapshot> values;
  private final ModelTable table;
  private final ServiceMetrics metrics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;

  /**
   * The follower thread's nice increment: at +10 a busy core gives it about a tenth of what a
   * request thread gets, so a version's few milliseconds of loading take tens of milliseconds
   * instead of delaying the requests in flight (docs/benchmarks.md#model-service).
   */
  static final int FOLLOWER_NICENESS = 10;

  private volatile boolean running = true;
  private volatile String notReadyReason = "starting";
  private volatile Throwable failure;

  /**
   * The consumer's name, after the {@code --kafka-config} file's {@code client.id} if it has one.
   */
  static final String CLIENT_ID = "lethe-model-service";

  SnapshotFollower(
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      String topic,
      Deserializer<ModelSnapshot> values,
      ModelTable table,
      ServiceMetrics metrics) {
    this.topic = topic;
    this.values = values;
    this.table = table;
    this.metrics = metrics;
    Map<String, Object> config = consumerProperties(kafkaConfig, bootstrapServers);
    LOG.info("Snapshot consumer configuration: {}", KafkaClientConfig.describe(config));
    this.consumer =
        kafkaConfig.create(
            "consumer " + config.get(ConsumerConfig.CLIENT_ID_CONFIG),
            () ->
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()));
    metrics.exportKafkaClient(consumer::metrics);
    this.thread = new Thread(this::run, "lethe-snapshot-follower");
    this.thread.setDaemon(true);
  }

  /**
   * Consumer settings: no group, read_committed, fetch sizes for the largest snapshot, on top of
   * the {@code --kafka-config} file's.
   */
  static Map<String, Object> consumerProperties(
      KafkaClientConfig kafkaConfig, String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // a whole snapshot must fit in one fetch
    int fetch = TopicNames.MAX_SNAPSHOT_BYTES + 1024 * 1024;
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(fetch));
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(fetch));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "16");
    return kafkaConfig.layer(bootstrapServers, CLIENT_ID, props);
  }

  void start() {
    thread.start();
  }

  /** Whether the follower has read the topic up to where it ended at start-up. */
  boolean ready() {
    return notReadyReason == null;
  }

  /** Why the service is not ready yet, or null once it is. */
  String notReadyReason() {
    Throwable failed = failure;
    return failed != null
        ? "the snapshot follower stopped: " + failed.getMessage()
        : notReadyReason;
  }

  private void run() {
    // loading a version must not take CPU from the requests being served (ThreadNiceness)
    ThreadNiceness.lowerThisThread(FOLLOWER_NICENESS);
    try {
      Map<TopicPartition, Long> catchUpTo = assignFromBeginning();
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          handle(record);
        }
        if (catchUpTo != null) {
          long remaining = 0;
          for (Map.Entry<TopicPartition, Long> end : catchUpTo.entrySet()) {
            remaining += Math.max(0, end.getValue() - consumer.position(end.getKey()));
          }
          metrics.recordsBehind.set(remaining);
          if (remaining == 0) {
            LOG.info("caught up with {}: ready", topic);
            catchUpTo = null;
            notReadyReason = null;
            metrics.ready.set(1);
          } else {
            notReadyReason = "catching up with " + topic + ": " + remaining + " records to read";
          }
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      metrics.ready.set(0);
      LOG.error("the snapshot follower stopped; no new versions will be served", e);
    } finally {
      consumer.close();
    }
  }

  /** Waits for the topic to exist, assigns all its partitions from offset 0; returns the ends. */
  private Map<TopicPartition, Long> assignFromBeginning() {
    List<PartitionInfo> partitions = List.of();
    while (running && partitions.isEmpty()) {
      partitions = TopicFollower.partitionsOrNone(consumer, topic);
      if (partitions.isEmpty()) {
        notReadyReason = "waiting for topic " + topic + " to exist";
      }
    }
    List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(assigned));
    LOG.info("following {} from the beginning; ready at end offsets {}", topic, ends);
    return ends;
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    String key = record.key() == null ? "(no key)" : record.key();
    if (record.value() == null) {
      table.refuse(key, ModelTable.Refusal.TOMBSTONE, "a tombstone at offset " + record.offset());
      return;
    }
    ModelSnapshot snapshot;
    try {
      snapshot = values.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      table.refuse(
          key,
          ModelTable.Refusal.UNDECODABLE,
          "the record at offset " + record.offset() + " does not decode: " + e.getMessage());
      return;
    }
    if (record.key() != null && !record.key().equals(snapshot.getModel())) {
      table.refuse(
          key,
          ModelTable.Refusal.INVALID,
          "the record at offset "
              + record.offset()
              + " holds a snapshot of model '"
              + snapshot.getModel()
              + "' under key '"
              + key
              + "'");
      return;
    }
    table.offer(snapshot);
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
