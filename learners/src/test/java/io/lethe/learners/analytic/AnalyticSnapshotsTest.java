package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.snapshot.NonFiniteWeightsException;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.learners.snapshot.SnapshotSettings;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyticSnapshotsTest {
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(77L, 30).withBufferSize(128);
  private static final SnapshotHeader HEADER =
      new SnapshotHeader(
          "fmnist-analytic", 7, 6L, Instant.ofEpochMilli(1_764_000_000_000L), List.of("e-9"));

  @Test
  void shouldScoreFromADecodedSnapshotExactlyAsTheLearner() {
    RandomSamples data = RandomSamples.generate(3L, 1500, 30, 3, 20);
    RandomSamples test = RandomSamples.generate(4L, 300, 30, 3, 20);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      data.learnInto(learner, 100);
      learner.eraseTask("t1");
      ModelSnapshot snapshot = AnalyticSnapshots.encode(learner, HEADER);

      assertThat(snapshot.getLearner()).isEqualTo(LearnerKind.ANALYTIC);
      assertThat(SnapshotChecksum.verify(snapshot)).isTrue();
      assertThat(snapshot.getScoring().stream().map(Setting::getKey))
          .containsExactly(
              "buffer-prng", "seed", "input-dim", "buffer-size", "gamma", "classes", "tasks");
      assertThat(snapshot.getLineage().getErasedTasks()).containsExactly("t1");
      assertThat(snapshot.getLineage().getSamplesPerTask()).hasSize(2);
      assertThat(snapshot.getTensors().get(0).getShape()).containsExactly(128L, 4L);

      try (Scorer scorer = Scorers.fromSnapshot(snapshot);
          AnalyticScorer own = learner.scorer()) {
        assertThat(scorer.classes()).containsExactly(0, 1, 4, 5);
        List<Prediction> decoded = scorer.predict(test.rows());
        List<Prediction> learnerOwn = own.predict(test.rows());
        assertThat(decoded).isEqualTo(learnerOwn); // labels and float64 scores, bit for bit
        assertThat(scorer.predictLabels(test.rows())).isEqualTo(learner.predict(test.rows()));
      }
    }
  }

  /**
   * Erasing everything a model learned must still give a version (its erasure receipts name it): a
   * model with no classes, which scores nothing.
   */
  @Test
  void shouldEncodeAModelWhoseEveryClassWasErased() {
    RandomSamples data = RandomSamples.generate(3L, 300, 30, 1, 20);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      data.learnInto(learner, 100);
      learner.eraseTask("t0");
      assertThat(learner.weights().classes()).isEmpty();
      ModelSnapshot snapshot = AnalyticSnapshots.encode(learner, HEADER);

      assertThat(SnapshotChecksum.verify(snapshot)).isTrue();
      assertThat(snapshot.getLineage().getSamplesPerTask()).isEmpty();
      assertThat(snapshot.getLineage().getErasedTasks()).containsExactly("t0");
      assertThat(snapshot.getTensors().get(0).getShape()).containsExactly(128L, 0L);
      try (Scorer scorer = Scorers.fromSnapshot(snapshot)) {
        assertThat(scorer.isEmpty()).isTrue();
        assertThat(scorer.classes()).isEmpty();
        assertThatThrownBy(() -> scorer.predict(data.rows()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("the model has no classes: nothing learned, or all of it erased");
      }
    }
  }

  @Test
  void shouldRefuseASnapshotWithAFlippedTensorByte() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      RandomSamples.generate(3L, 300, 30, 2, 20).learnInto(learner, 100);
      ModelSnapshot snapshot = AnalyticSnapshots.encode(learner, HEADER);
      ByteBuffer data = snapshot.getTensors().get(0).getData();
      byte[] bytes = new byte[data.remaining()];
      data.duplicate().get(bytes);
      bytes[100] ^= 0x10;
      snapshot.getTensors().get(0).setData(ByteBuffer.wrap(bytes));
      assertThat(SnapshotChecksum.verify(snapshot)).isFalse();
      assertThatThrownBy(() -> Scorers.fromSnapshot(snapshot))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("snapshot fmnist-analytic v7 fails its checksum; refusing to load it");
    }
  }

  @Test
  void shouldRefuseToEncodeNonFiniteWeights() {
    double[] values = new double[4 * 2];
    values[5] = Double.NaN;
    AnalyticModel model =
        new AnalyticModel(
            SETTINGS.withBufferSize(4),
            new HeadWeights(List.of(0, 1), 4, values),
            Map.of("0", 10L),
            List.of());
    assertThatThrownBy(() -> AnalyticSnapshots.encode(model, HEADER))
        .isInstanceOf(NonFiniteWeightsException.class)
        .hasMessage(
            "refusing to encode a snapshot: tensor head.weight has the non-finite value NaN at flat"
                + " index 5");
    values[5] = Double.POSITIVE_INFINITY;
    assertThatThrownBy(() -> AnalyticSnapshots.encode(model, HEADER))
        .isInstanceOf(NonFiniteWeightsException.class);
  }

  @Test
  void shouldRebuildTheBufferLayerBitIdenticallyFromSeedAndSizes() {
    double[] first = BufferLayer.weightValues(123L, 784, 16);
    double[] second = BufferLayer.weightValues(123L, 784, 16);
    assertThat(second).isEqualTo(first);
    double bound = 1.0 / Math.sqrt(784);
    for (double v : first) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
    }
    // Pinned values: a change to the generator or its mapping breaks every stored snapshot.
    assertThat(first[0]).isEqualTo(BufferLayer.weightValues(123L, 784, 1)[0]);
    assertThat(BufferLayer.weightValues(1234567L, 1, 2))
        .containsExactly(
            2.0 * ((6457827717110365317L >>> 11) * 0x1.0p-53) - 1.0,
            2.0 * ((3203168211198807973L >>> 11) * 0x1.0p-53) - 1.0);
  }

  @Test
  void shouldReadASnapshotWrittenUnderTheFormerKeys() {
    RandomSamples data = RandomSamples.generate(3L, 300, 30, 3, 20);
    RandomSamples test = RandomSamples.generate(4L, 50, 30, 3, 20);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      data.learnInto(learner, 100);
      ModelSnapshot snapshot = AnalyticSnapshots.encode(learner, HEADER);
      Map<String, String> former = new java.util.HashMap<>();
      SnapshotSettings.FORMER_KEYS.forEach((old, now) -> former.put(now, old));
      ModelSnapshot old =
          ModelSnapshot.newBuilder(snapshot)
              .setScoring(
                  snapshot.getScoring().stream()
                      .map(
                          s ->
                              new Setting(
                                  former.getOrDefault(s.getKey(), s.getKey()), s.getValue()))
                      .toList())
              .setChecksum("")
              .build();
      old.setChecksum(SnapshotChecksum.compute(old));
      assertThat(old.getScoring().stream().map(Setting::getKey)).contains("buffer.size");

      try (Scorer scorer = Scorers.fromSnapshot(old);
          Scorer current = Scorers.fromSnapshot(snapshot)) {
        assertThat(scorer.predict(test.rows())).isEqualTo(current.predict(test.rows()));
      }
    }
  }
}
