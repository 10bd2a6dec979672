package io.lethe.serving;

import io.lethe.cli.KafkaClientConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic from the beginning on a thread of its own and hands every record to a handler:
 * without a consumer group (every replica reads everything, and no offsets are committed) and
 * {@code read_committed}, like the service's other followers. What it is doing is {@link #state()},
 * in words the console shows; why it stopped goes to the log. It waits for the topic to exist, and
 * through broker metadata that is slow to come, rather than giving up.
 */
public final class TopicFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration METADATA_WAIT = Duration.ofSeconds(2);

  private final String topic;
  private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String state = "starting";

  /**
   * @param clientId the consumer's name, after the {@code --kafka-config} file's {@code client.id}
   *     if it has one
   * @param handler called on the follower's thread for each record; what it throws is logged and
   *     the record skipped
   */
  public TopicFollower(
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      String clientId,
      String topic,
      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    this.topic = topic;
    this.handler = handler;
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the topics are created by an administrator; a reader must not create them
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    Map<String, Object> config = kafkaConfig.layer(bootstrapServers, clientId, props);
    LOG.info("Consumer of {}: {}", topic, KafkaClientConfig.describe(config));
    this.consumer =
        kafkaConfig.create(
            "consumer " + config.get(ConsumerConfig.CLIENT_ID_CONFIG),
            () ->
                new KafkaConsumer<>(
                    config, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    this.thread = new Thread(this::run, "lethe-follower-" + topic);
    this.thread.setDaemon(true);
  }

  /** Starts reading on the follower's own thread. */
  public void start() {
    thread.start();
  }

  /** The consumer's own metrics (fetch lag and rates among them), for {@code /metrics}. */
  public Map<MetricName, ? extends Metric> consumerMetrics() {
    return consumer.metrics();
  }

  /** What the follower is doing, e.g. {@code following} or why it stopped. */
  public String state() {
    return state;
  }

  private void run() {
    try {
      assignFromBeginning();
      state = "following";
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          try {
            handler.accept(record);
          } catch (RuntimeException e) {
            // the message only: a decoder's text can quote the record
            LOG.warn(
                "skipping the record at offset {} of {}: {}",
                record.offset(),
                topic,
                e.getClass().getSimpleName());
          }
        }
      }
    } catch (WakeupException e) {
      if (running) {
        state = "stopped; the cause is in the model service's log";
        LOG.error("the follower of {} was woken up while running", topic, e);
      }
    } catch (AuthorizationException e) {
      state = "stopped: the model service may not read " + topic;
      LOG.error("stopped following {}: the service's Kafka principal needs Read on it", topic, e);
    } catch (RuntimeException | Error e) {
      state = "stopped; the cause is in the model service's log";
      LOG.error("stopped following {}", topic, e);
    } finally {
      consumer.close();
    }
  }

  private void assignFromBeginning() {
    List<PartitionInfo> partitions = List.of();
    boolean logged = false;
    while (running && partitions.isEmpty()) {
      partitions = partitionsOrNone(consumer, topic);
      if (partitions.isEmpty()) {
        state = "waiting for the topic to exist";
        if (!logged) {
          LOG.info("waiting for topic {} to exist", topic);
          logged = true;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(POLL.toNanos());
      }
    }
    List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
  }

  /**
   * The partitions of {@code topic}, or none while it does not exist or its metadata does not come
   * within the wait (a broker still starting, a slow first TLS handshake): the caller waits and
   * asks again rather than giving up.
   */
  static List<PartitionInfo> partitionsOrNone(
      org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, String topic) {
    try {
      return consumer.partitionsFor(topic, METADATA_WAIT);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return List.of();
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
