package io.lethe.catalog;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a model publishes a new snapshot: after {@code everySamples} learned samples, or {@code
 * interval} after the first unpublished change, and at most {@code afterErasure} after an erasure
 * was applied (whichever comes first).
 */
public record SnapshotPolicy(long everySamples, Duration interval, Duration afterErasure)
    implements Serializable {
  /** 10,000 samples, 10 seconds, 1 second after an erasure. */
  public static SnapshotPolicy defaults() {
    return new SnapshotPolicy(10_000, Duration.ofSeconds(10), Duration.ofSeconds(1));
  }
}
