package io.lethe.serving;

import io.lethe.records.LearnerHeartbeat;
import java.time.Duration;
import java.time.Instant;

/**
 * What the service can tell about a model's learner from its newest committed heartbeat on the
 * learner status topic: {@code running} while that heartbeat is fresh, {@code not-running} once it
 * is older than {@link #staleAfter}, {@code unknown} before any heartbeat.
 *
 * <p>A heartbeat is fresh for three heartbeat intervals plus the job's commit (checkpoint) interval
 * plus the service's grace for a slow checkpoint; the first two come from the heartbeat itself, so
 * the service needs no copy of the job's settings. Ages are measured against the job's clock
 * ({@code emittedAt}), not the time the service read the record, so that a service that starts
 * after the job stopped does not mistake the stopped job's last heartbeat for a fresh one; this
 * assumes the job's and the service's clocks agree to well within {@link #staleAfter} (NTP).
 *
 * @param state running, not-running or unknown
 * @param newest the newest heartbeat, or null if none was read
 * @param heartbeatAge how long ago the newest heartbeat was emitted (zero if none, or if the job's
 *     clock is ahead)
 * @param staleAfter the age at which the learner counts as not running (zero if unknown)
 */
record LearnerStatus(
    State state, LearnerHeartbeat newest, Duration heartbeatAge, Duration staleAfter) {
  /** Heartbeats a learner may miss before it counts as not running. */
  static final int MISSED_HEARTBEATS = 3;

  /** A learner's state as {@code GET /v1/models/{model}} names it. */
  enum State {
    RUNNING("running"),
    NOT_RUNNING("not-running"),
    UNKNOWN("unknown");

    final String label;

    State(String label) {
      this.label = label;
    }
  }

  /** The status of a learner whose newest heartbeat (or null) is {@code newest}, at {@code now}. */
  static LearnerStatus of(LearnerHeartbeat newest, Instant now, Duration grace) {
    if (newest == null) {
      return new LearnerStatus(State.UNKNOWN, null, Duration.ZERO, Duration.ZERO);
    }
    Duration staleAfter =
        Duration.ofMillis(MISSED_HEARTBEATS * newest.getIntervalMs() + newest.getCommitIntervalMs())
            .plus(grace);
    Duration age = Duration.between(newest.getEmittedAt(), now);
    if (age.isNegative()) {
      age = Duration.ZERO;
    }
    State state = age.compareTo(staleAfter) > 0 ? State.NOT_RUNNING : State.RUNNING;
    return new LearnerStatus(state, newest, age, staleAfter);
  }

  boolean running() {
    return state == State.RUNNING;
  }
}
