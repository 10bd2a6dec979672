package io.lethe.job;

import io.lethe.schemas.topics.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one run of the learner job, validated at start-up; each error names the command-line
 * option.
 *
 * @param catalog the model catalog file ({@code --catalog})
 * @param bootstrapServers Kafka bootstrap address ({@code --bootstrap})
 * @param registryUrl schema registry URL ({@code --registry})
 * @param topics topic names (the defaults unless a caller overrides them)
 * @param parallelism parallelism of every operator ({@code --parallelism}, default 1)
 * @param checkpointInterval checkpoint and so output-commit interval ({@code
 *     --checkpoint-interval}, default 2s): outputs become visible to read_committed readers at
 *     checkpoints
 * @param microBatchSize samples each learner learns together ({@code --micro-batch}, default 256)
 * @param tombstoneRetention how long erased subjects and samples are remembered ({@code
 *     --tombstone-retention}, default 7 days); must exceed the stream's maximum lateness
 * @param requestIdRetention how long an executed erasure request's id is remembered, so that a
 *     retry is not run again and a reuse with other content is refused ({@code
 *     --request-id-retention}, default 7 days, the ingress's receipt retention); after it the id is
 *     forgotten
 * @param restPort Flink web dashboard port in local mode ({@code --rest-port}, default 8081, 0 for
 *     any free port)
 * @param transactionalIdPrefix prefix of the exactly-once sink's transactional ids
 * @param checkpointDirectory where checkpoints are written ({@code --checkpoint-dir}, default
 *     {@code <tmp>/lethe-checkpoints}); the learners' state is far larger than the JobManager's
 *     in-memory checkpoint limit, so checkpoints always go to a file system
 * @param heartbeatInterval how often the learner publishes each model's heartbeat on the learner
 *     status topic ({@code --heartbeat-interval}, default 2s, at most {@link
 *     #MAX_HEARTBEAT_INTERVAL}); the model service reports a learner as not running once its newest
 *     heartbeat is about three intervals plus a checkpoint interval old
 */
public record JobSettings(
    Path catalog,
    String bootstrapServers,
    String registryUrl,
    TopicNames topics,
    int parallelism,
    Duration checkpointInterval,
    int microBatchSize,
    Duration tombstoneRetention,
    Duration requestIdRetention,
    int restPort,
    String transactionalIdPrefix,
    Path checkpointDirectory,
    Duration heartbeatInterval) {

  /**
   * Longest heartbeat interval: three missed heartbeats must still be noticed well within the 30
   * seconds in which a stopped learner has to show up.
   */
  public static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /** Checks every setting. */
  public JobSettings {
    Objects.requireNonNull(catalog, "--catalog is required");
    requireText("--bootstrap", bootstrapServers);
    requireText("--registry", registryUrl);
    Objects.requireNonNull(topics, "topics");
    requireAtLeast("--parallelism", parallelism, 1);
    requirePositive("--checkpoint-interval", checkpointInterval);
    requireAtLeast("--micro-batch", microBatchSize, 1);
    requirePositive("--tombstone-retention", tombstoneRetention);
    requirePositive("--request-id-retention", requestIdRetention);
    if (restPort < 0 || restPort > 65535) {
      throw new IllegalArgumentException("--rest-port is " + restPort + ", expected 0 to 65535");
    }
    requireText("transactional id prefix", transactionalIdPrefix);
    Objects.requireNonNull(checkpointDirectory, "--checkpoint-dir");
    requirePositive("--heartbeat-interval", heartbeatInterval);
    if (heartbeatInterval.compareTo(MAX_HEARTBEAT_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "--heartbeat-interval is "
              + heartbeatInterval.toMillis()
              + "ms, expected at most "
              + MAX_HEARTBEAT_INTERVAL.toMillis()
              + "ms so that a stopped learner is noticed within 30 seconds");
    }
  }

  /** Defaults for everything but the catalog and the addresses. */
  public static JobSettings defaults(Path catalog, String bootstrapServers, String registryUrl) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        TopicNames.defaults(),
        1,
        Duration.ofSeconds(2),
        256,
        Duration.ofDays(7),
        Duration.ofDays(7),
        8081,
        "lethe-learner",
        Path.of(System.getProperty("java.io.tmpdir"), "lethe-checkpoints"),
        Duration.ofSeconds(2));
  }

  /** A copy with another parallelism. */
  public JobSettings withParallelism(int value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        value,
        checkpointInterval,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        restPort,
        transactionalIdPrefix,
        checkpointDirectory,
        heartbeatInterval);
  }

  /** A copy with another checkpoint interval. */
  public JobSettings withCheckpointInterval(Duration value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        parallelism,
        value,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        restPort,
        transactionalIdPrefix,
        checkpointDirectory,
        heartbeatInterval);
  }

  /** A copy with another micro-batch size. */
  public JobSettings withMicroBatchSize(int value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        parallelism,
        checkpointInterval,
        value,
        tombstoneRetention,
        requestIdRetention,
        restPort,
        transactionalIdPrefix,
        checkpointDirectory,
        heartbeatInterval);
  }

  /** A copy with another dashboard port (0: any free port). */
  public JobSettings withRestPort(int value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        parallelism,
        checkpointInterval,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        value,
        transactionalIdPrefix,
        checkpointDirectory,
        heartbeatInterval);
  }

  /** A copy writing checkpoints under {@code value}. */
  public JobSettings withCheckpointDirectory(Path value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        parallelism,
        checkpointInterval,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        restPort,
        transactionalIdPrefix,
        value,
        heartbeatInterval);
  }

  /** A copy publishing heartbeats every {@code value}. */
  public JobSettings withHeartbeatInterval(Duration value) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        topics,
        parallelism,
        checkpointInterval,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        restPort,
        transactionalIdPrefix,
        checkpointDirectory,
        value);
  }

  private static void requireText(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is required");
    }
  }

  private static void requireAtLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(
          option + " is " + value + ", expected an integer >= " + min);
    }
  }

  private static void requirePositive(String option, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          option + " is " + value + ", expected a positive duration");
    }
  }
}
