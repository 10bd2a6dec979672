package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A model service scoring the buffer layer in float32 predicts the learner's labels: the analytic
 * model at the served size (d_E 2048), learned from 10,000 Fashion-MNIST training images, on all
 * 10,000 test images, one row at a time and in batches of 64 as the service batches them.
 */
class BufferPrecisionTest {
  private static final int BUFFER_SIZE = 2048;
  private static final int TRAIN_ROWS = 10_000;

  @Test
  void shouldPredictTheLearnersLabelsOnTheWholeTestSetInFloat32() {
    FashionMnist data = FashionMnist.load();
    LabeledSet test = data.test();
    try (AnalyticLearner learner =
        new AnalyticLearner(
            AnalyticSettings.defaults(7L, FashionMnist.FEATURES).withBufferSize(BUFFER_SIZE))) {
      LabeledSet train = data.train().select(IntStream.range(0, TRAIN_ROWS).toArray());
      List<String> ids = IntStream.range(0, TRAIN_ROWS).mapToObj(i -> "s" + i).toList();
      learner.learn("all", ids, train.features(), train.labels());
      ModelSnapshot snapshot =
          AnalyticSnapshots.encode(
              learner, new SnapshotHeader("m", 1, null, Instant.EPOCH, List.of()));

      try (AnalyticScorer exact = learner.scorer();
          Scorer single = Scorers.fromSnapshot(snapshot, BufferPrecision.FLOAT32)) {
        assertThat(((AnalyticScorer) single).bufferPrecision()).isEqualTo(BufferPrecision.FLOAT32);
        List<Prediction> expected = inBatches(exact, test.features(), 256);
        for (int batch : new int[] {1, 64}) {
          List<Prediction> actual = inBatches(single, test.features(), batch);
          assertThat(actual).hasSize(test.size());
          double largest = 0;
          List<Integer> differentLabels = new ArrayList<>();
          for (int i = 0; i < test.size(); i++) {
            if (actual.get(i).label() != expected.get(i).label()) {
              differentLabels.add(i);
            }
            double[] a = actual.get(i).scores();
            double[] e = expected.get(i).scores();
            for (int c = 0; c < e.length; c++) {
              largest = Math.max(largest, Math.abs(a[c] - e[c]));
            }
          }
          assertThat(differentLabels)
              .as("test images labelled otherwise, batch " + batch)
              .isEmpty();
          assertThat(largest)
              .as("largest score difference, batch " + batch)
              .isLessThan(BufferPrecision.FLOAT32_SCORE_TOLERANCE)
              .isGreaterThan(0.0); // it is float32: the test would miss a silent float64 path
        }
      }
    }
  }

  private static List<Prediction> inBatches(Scorer scorer, float[][] rows, int batch) {
    List<Prediction> out = new ArrayList<>(rows.length);
    for (int from = 0; from < rows.length; from += batch) {
      out.addAll(
          scorer.predict(Arrays.copyOfRange(rows, from, Math.min(rows.length, from + batch))));
    }
    return out;
  }
}
