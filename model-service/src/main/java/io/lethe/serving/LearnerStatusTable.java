package io.lethe.serving;

import io.lethe.records.LearnerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest heartbeat of each model's learner and the status derived from it ({@link
 * LearnerStatus}); also exports the learner and snapshot-age gauges. Heartbeats are offered by one
 * thread (the {@link LearnerStatusFollower}); statuses are read from any number.
 */
final class LearnerStatusTable {
  private final Map<String, LearnerHeartbeat> newest = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration grace;

  /**
   * @param clock the service's clock, against which heartbeat and snapshot ages are measured
   * @param grace how long a checkpoint may take beyond the job's commit interval
   */
  LearnerStatusTable(Clock clock, Duration grace) {
    this.clock = clock;
    this.grace = grace;
  }

  /** Keeps {@code heartbeat} if it is its model's newest. */
  void offer(LearnerHeartbeat heartbeat) {
    newest.merge(
        heartbeat.getModel(),
        heartbeat,
        (held, offered) -> offered.getEmittedAt().isBefore(held.getEmittedAt()) ? held : offered);
  }

  /** The status of {@code model}'s learner now. */
  LearnerStatus status(String model) {
    return LearnerStatus.of(newest.get(model), clock.instant(), grace);
  }

  /** The service's clock. */
  Instant now() {
    return clock.instant();
  }

  /**
   * Sets the per-model gauges for the served models and every model with a heartbeat: learner up (1
   * running, 0 not running or unknown), heartbeat age, and the age of the served snapshot.
   */
  void export(ServiceMetrics metrics, Collection<ServedModel> served) {
    Instant now = clock.instant();
    Set<String> models = new TreeSet<>(newest.keySet());
    served.forEach(m -> models.add(m.name()));
    for (String model : models) {
      LearnerStatus status = status(model);
      metrics.learnerUp.labelValues(model).set(status.running() ? 1 : 0);
      if (status.newest() != null) {
        metrics.heartbeatAge.labelValues(model).set(seconds(status.heartbeatAge()));
      }
    }
    for (ServedModel model : served) {
      metrics.snapshotAge.labelValues(model.name()).set(snapshotAgeSeconds(model, now));
    }
  }

  /** Seconds since {@code model}'s snapshot was created by the job, at {@code now}. */
  static double snapshotAgeSeconds(ServedModel model, Instant now) {
    Duration age = Duration.between(model.createdAt(), now);
    return seconds(age.isNegative() ? Duration.ZERO : age);
  }

  static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
