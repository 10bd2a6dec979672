package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferLayersTest {
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(77L, 30).withBufferSize(128);

  @Test
  void shouldShareOneLayerAcrossVersionsAndFreeItWithTheLastScorer() {
    RandomSamples data = RandomSamples.generate(3L, 600, 30, 3, 20);
    RandomSamples test = RandomSamples.generate(4L, 50, 30, 3, 20);
    BufferLayers layers = new BufferLayers(BufferPrecision.FLOAT32);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      data.learnInto(learner, 100);
      ModelSnapshot v1 = snapshot(learner, 1);
      learner.eraseTask("t1");
      ModelSnapshot v2 = snapshot(learner, 2);

      Scorer first = Scorers.fromSnapshot(v1, layers);
      Scorer second = Scorers.fromSnapshot(v2, layers);
      assertThat(layers.size()).isEqualTo(1);
      assertThat(((AnalyticScorer) first).sharesWarmBufferLayer()).isFalse();
      assertThat(((AnalyticScorer) second).sharesWarmBufferLayer()).isTrue();
      try (Scorer own = Scorers.fromSnapshot(v2, BufferPrecision.FLOAT32)) {
        // the same scores as a scorer with a layer of its own, bit for bit
        assertThat(second.predict(test.rows())).isEqualTo(own.predict(test.rows()));
      }

      first.close();
      assertThat(layers.size()).isEqualTo(1);
      assertThat(second.predict(test.rows())).hasSize(test.rows().length); // still held
      second.close();
      assertThat(layers.size()).isZero();

      try (Scorer third = Scorers.fromSnapshot(v2, layers)) {
        assertThat(layers.size()).isEqualTo(1);
        assertThat(third.predict(test.rows())).hasSize(test.rows().length);
      }
      assertThat(layers.size()).isZero();
    }
  }

  private static ModelSnapshot snapshot(AnalyticLearner learner, long version) {
    return AnalyticSnapshots.encode(
        learner,
        new SnapshotHeader(
            "m", version, version == 1 ? null : version - 1, Instant.EPOCH, List.of()));
  }
}
