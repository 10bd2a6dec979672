package io.lethe.loadtests.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's faults: one every {@code every} while the traffic runs, alternating a {@code kill -9}
 * of the learner's TaskManager (first) and a restart of the broker.
 */
public final class FaultSchedule {
  /** A fault the soak injects. */
  public enum Kind {
    /** {@code kill -9} of the TaskManager running the learner, and a replacement started. */
    TASK_MANAGER_KILL,
    /** The broker stopped (SIGTERM) and started again on the same data. */
    BROKER_RESTART
  }

  /** A fault due {@code at} after the start of the traffic. */
  public record Planned(Duration at, Kind kind) {}

  private FaultSchedule() {}

  /** Faults at every, 2 every, ... strictly before {@code duration}, alternating kinds. */
  public static List<Planned> plan(Duration duration, Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("--fault-every must be positive, got " + every);
    }
    List<Planned> faults = new ArrayList<>();
    for (Duration at = every; at.compareTo(duration) < 0; at = at.plus(every)) {
      faults.add(
          new Planned(at, faults.size() % 2 == 0 ? Kind.TASK_MANAGER_KILL : Kind.BROKER_RESTART));
    }
    return faults;
  }
}
