package io.lethe.job.learner;

import io.lethe.catalog.ModelSpec;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.records.LearnerHeartbeat;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When the learner operator publishes each model's heartbeat, and how often the job commits its
 * outputs; both travel in every heartbeat, so that a reader knows how old the newest one may become
 * while the job is healthy.
 *
 * @param interval time between two heartbeats of a model
 * @param commitInterval the job's checkpoint interval: heartbeats go through the exactly-once sink
 *     and become visible when a checkpoint commits
 */
public record Heartbeats(Duration interval, Duration commitInterval) implements Serializable {
  /** Checks both are positive. */
  public Heartbeats {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(commitInterval, "commitInterval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("heartbeat interval must be > 0, was " + interval);
    }
    if (commitInterval.isZero() || commitInterval.isNegative()) {
      throw new IllegalArgumentException("commit interval must be > 0, was " + commitInterval);
    }
  }

  /**
   * One model's heartbeat, ready for the exactly-once sink.
   *
   * @param lastLearnedAtMillis when the model last learned a sample, or null if never
   */
  public KafkaOut heartbeat(
      ModelSpec model,
      long nowMillis,
      long samplesLearned,
      long version,
      Long lastLearnedAtMillis,
      int samplesBuffered) {
    LearnerHeartbeat heartbeat =
        LearnerHeartbeat.newBuilder()
            .setModel(model.name())
            .setLearner(model.learner())
            .setEmittedAt(Instant.ofEpochMilli(nowMillis))
            .setIntervalMs(interval.toMillis())
            .setCommitIntervalMs(commitInterval.toMillis())
            .setSamplesLearned(samplesLearned)
            .setVersion(version)
            .setLastLearnedAt(
                lastLearnedAtMillis == null ? null : Instant.ofEpochMilli(lastLearnedAtMillis))
            .setSamplesBuffered(samplesBuffered)
            .build();
    return KafkaOut.of(KafkaOut.Kind.LEARNER_HEARTBEAT, model.name(), AvroBytes.encode(heartbeat));
  }
}
