package io.lethe.serving;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.records.LearnerHeartbeat;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Deserializer;
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

  /**
   * The consumer's name, after the {@code --kafka-config} file's {@code client.id} if it has one.
   */
  static final String CLIENT_ID = "lethe-model-service-learner-status";

  private final Deserializer<LearnerHeartbeat> values;
  private final LearnerStatusTable table;
  private final TopicFollower follower;

  LearnerStatusFollower(
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      String topic,
      Deserializer<LearnerHeartbeat> values,
      LearnerStatusTable table) {
    this.values = values;
    this.table = table;
    this.follower =
        new TopicFollower(kafkaConfig, bootstrapServers, CLIENT_ID, topic, this::handle);
  }

  void start() {
    follower.start();
  }

  /** The consumer's own metrics (fetch lag and rates among them), for {@code /metrics}. */
  Map<MetricName, ? extends Metric> consumerMetrics() {
    return follower.consumerMetrics();
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return; // a tombstone: nothing to learn about the learner
    }
    try {
      table.offer(values.deserialize(record.topic(), record.value()));
    } catch (RuntimeException e) {
      LOG.warn(
          "ignoring the record at offset {} of {}: it does not decode as a LearnerHeartbeat: {}",
          record.offset(),
          record.topic(),
          e.getMessage());
    }
  }

  @Override
  public void close() {
    follower.close();
  }
}
