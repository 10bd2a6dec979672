package io.lethe.job.learner;

import java.io.Serializable;
import java.time.Duration;
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
}
