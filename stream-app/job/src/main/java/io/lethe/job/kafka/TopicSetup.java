package io.lethe.job.kafka;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.schemas.topics.TopicCreation;
import io.lethe.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates Lethe's topics if they are missing, with the settings they need: the models topic is
 * compacted (the latest snapshot per model survives) and accepts records up to {@link
 * #MAX_SNAPSHOT_BYTES}; the learner status topic is compacted too, so a reader that starts late
 * still finds each model's newest heartbeat.
 */
public final class TopicSetup {
  /** Largest snapshot record accepted on the models topic and sent by the job's producer. */
  public static final int MAX_SNAPSHOT_BYTES = TopicNames.MAX_SNAPSHOT_BYTES;

  /**
   * Largest record the job may write to the dead-letter topic: the topic is created with the
   * broker's default {@code max.message.bytes}, 1 MiB in Kafka's defaults.
   */
  public static final int DEAD_LETTER_MAX_BYTES = 1024 * 1024;

  private TopicSetup() {}

  /**
   * Segment roll of the learner status topic: heartbeats arrive every few seconds, and only closed
   * segments are compacted.
   */
  public static final long LEARNER_STATUS_SEGMENT_MS = Duration.ofHours(1).toMillis();

  /** A topic with the broker's default replication factor. */
  private static NewTopic newTopic(String name, int partitions) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty());
  }

  /**
   * Creates the missing topics with {@code partitions} partitions for the keyed input topics and
   * one partition for the others, on a broker that needs no credentials.
   */
  public static void ensureTopics(String bootstrapServers, TopicNames names, int partitions) {
    ensureTopics(bootstrapServers, KafkaClientConfig.none(), names, partitions);
  }

  /**
   * Creates the missing topics as {@link #ensureTopics(String, TopicNames, int)} does, with the
   * admin client configured by {@code config}. A topic the principal may not see or create is left
   * alone: on a secured cluster an administrator creates the topics, and each component holds only
   * the rights to the topics it uses (see {@code docs/security.md}).
   */
  public static void ensureTopics(
      String bootstrapServers, KafkaClientConfig config, TopicNames names, int partitions) {
    Map<String, Object> adminConfig =
        config.layer(bootstrapServers, "lethe-learner-admin", Map.<String, Object>of());
    try (Admin admin = config.create("admin client", () -> Admin.create(adminConfig))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> wanted = new ArrayList<>();
      for (String topic :
          List.of(names.samplesRaw(), names.samples(), names.erasuresRaw(), names.erasures())) {
        wanted.add(newTopic(topic, partitions));
      }
      for (String topic :
          List.of(
              names.erasuresAffected(),
              names.erasuresApplied(),
              names.receipts(),
              names.deadLetter())) {
        wanted.add(newTopic(topic, 1));
      }
      wanted.add(
          newTopic(names.models(), 1)
              .configs(
                  Map.of(
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      TopicConfig.CLEANUP_POLICY_COMPACT,
                      TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                      String.valueOf(MAX_SNAPSHOT_BYTES))));
      wanted.add(
          newTopic(names.learnerStatus(), 1)
              .configs(
                  Map.of(
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      TopicConfig.CLEANUP_POLICY_COMPACT,
                      TopicConfig.SEGMENT_MS_CONFIG,
                      String.valueOf(LEARNER_STATUS_SEGMENT_MS))));
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        TopicCreation.createPermitted(admin, missing, Duration.ofSeconds(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Lethe's topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not create Lethe's topics on " + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}
