package io.lethe.learners.snapshot;

import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.analytic.BufferLayers;
import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.hypernet.HypernetTaskScorer;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.snapshot.SnapshotChecksum;

/** Builds the {@link Scorer} for any snapshot, choosing the decoder by its learner kind. */
public final class Scorers {
  private Scorers() {}

  /**
   * Verifies and decodes a snapshot.
   *
   * @throws IllegalArgumentException if the snapshot fails its checksum or does not decode
   */
  public static Scorer fromSnapshot(ModelSnapshot snapshot) {
    return fromSnapshot(snapshot, BufferPrecision.FLOAT64);
  }

  /**
   * Verifies and decodes a snapshot; an analytic model computes its buffer layer in {@code
   * precision} (a hypernetwork model is unaffected).
   *
   * @throws IllegalArgumentException if the snapshot fails its checksum or does not decode
   */
  public static Scorer fromSnapshot(ModelSnapshot snapshot, BufferPrecision precision) {
    return switch (snapshot.getLearner()) {
      case ANALYTIC -> AnalyticSnapshots.decode(snapshot, precision); // verifies the checksum
      case HYPERNETWORK -> HypernetTaskScorer.fromSnapshot(verified(snapshot));
    };
  }

  /**
   * Verifies and decodes a snapshot; an analytic model's buffer layer comes from {@code layers},
   * shared with the other scorers of the same seed and sizes (a hypernetwork model is unaffected).
   *
   * @throws IllegalArgumentException if the snapshot fails its checksum or does not decode
   */
  public static Scorer fromSnapshot(ModelSnapshot snapshot, BufferLayers layers) {
    return switch (snapshot.getLearner()) {
      case ANALYTIC -> AnalyticSnapshots.decode(snapshot, layers); // verifies the checksum
      case HYPERNETWORK -> HypernetTaskScorer.fromSnapshot(verified(snapshot));
    };
  }

  private static ModelSnapshot verified(ModelSnapshot snapshot) {
    if (!SnapshotChecksum.verify(snapshot)) {
      throw new IllegalArgumentException(
          "snapshot "
              + snapshot.getModel()
              + " v"
              + snapshot.getVersion()
              + " fails its checksum; refusing to load it");
    }
    return snapshot;
  }
}
