package io.lethe.learners.snapshot;

import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.records.ModelSnapshot;

/** Builds the {@link Scorer} for any snapshot, choosing the decoder by its learner kind. */
public final class Scorers {
  private Scorers() {}

  /**
   * Verifies and decodes a snapshot.
   *
   * @throws IllegalArgumentException if the snapshot fails its checksum or does not decode
   * @throws UnsupportedOperationException for a learner kind this build cannot score yet
   */
  public static Scorer fromSnapshot(ModelSnapshot snapshot) {
    return switch (snapshot.getLearner()) {
      case ANALYTIC -> AnalyticSnapshots.decode(snapshot);
      case HYPERNETWORK ->
          throw new UnsupportedOperationException(
              "snapshot " + snapshot.getModel() + ": hypernetwork scoring is not built yet");
    };
  }
}
