package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitTaskStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analytic learner's quality bars on Fashion-MNIST features. These tests need the data set and
 * fail (not skip) without it: install {@code dataset-fashion-mnist} or set LETHE_FASHION_MNIST_DIR.
 */
class FashionMnistAnalyticTest {
  private static FashionMnist data;

  @BeforeAll
  static void loadData() {
    data = FashionMnist.load();
  }

  @Test
  void shouldReadTheWholeDataSet() {
    assertThat(data.train().size()).isEqualTo(60_000);
    assertThat(data.test().size()).isEqualTo(10_000);
    assertThat(data.train().featureCount()).isEqualTo(FashionMnist.FEATURES);
    int[] counts = new int[FashionMnist.CLASSES];
    for (int label : data.train().labels()) {
      counts[label]++;
    }
    assertThat(counts).containsOnly(6000);
    for (float v : data.train().features()[0]) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void shouldForgetSamplesSubjectsAndTaskExactlyOnFashionMnistFeatures() {
    AnalyticSettings settings =
        AnalyticSettings.defaults(42L, FashionMnist.FEATURES).withBufferSize(512).withGamma(0.1);
    LabeledSet subset = data.train().select(IntStream.range(0, 8000).toArray());
    LabeledSet test = data.test().select(IntStream.range(0, 2000).toArray());
    // A and B interleaved: the stream's batches mix erased and retained samples of every task.
    List<LabeledBatch> stream =
        new SplitTaskStream(subset, SplitTaskStream.Options.fashionMnist(1L, 250)).allBatches();
    Set<String> subjects = Set.of("subject-3", "subject-500");
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      stream.forEach(learner::learn);
      learner.weights();

      // SAMPLE scope: every 9th sample, 40 at a time (in place by Woodbury, then by re-solving)
      Retention retention = new Retention(stream);
      retention.eraseWhere(
          learner, (batch, i) -> Math.floorMod(batch.sampleIds().get(i).hashCode(), 9) == 0, 40);
      assertEqualsRetraining(learner, retention, settings, test);

      // SUBJECT scope: all samples of two subjects, one request per subject
      for (String subject : subjects) {
        retention.eraseWhere(
            learner, (batch, i) -> batch.subjectIds().get(i).equals(subject), 10_000);
      }
      assertEqualsRetraining(learner, retention, settings, test);

      // TASK scope, data-free
      learner.eraseTask("2");
      retention.forgetTask("2");
      assertEqualsRetraining(learner, retention, settings, test);
      assertThat(learner.classes()).doesNotContain(4, 5);
    }
  }

  @Test
  void shouldEqualJointRidgeClassIncrementallyAndReach86PercentAtBuffer2048() {
    // gamma: chosen on a validation split of the training set by `lethe eval analytic` (every
    // gamma <= 1 scores within 0.1 point there); see learners/README.md.
    AnalyticSettings settings =
        AnalyticSettings.defaults(42L, FashionMnist.FEATURES).withBufferSize(2048).withGamma(0.1);
    SplitTaskStream.Options options = SplitTaskStream.Options.fashionMnist(7L, 4000);
    SplitTaskStream train = new SplitTaskStream(data.train(), options);
    SplitTaskStream test = new SplitTaskStream(data.test(), options);
    try (AnalyticLearner continual = new AnalyticLearner(settings);
        AnalyticLearner joint = new AnalyticLearner(settings)) {
      AccuracyMatrix matrix = ContinualEvaluation.run(continual, train, test);
      for (LabeledBatch batch : train.allBatches()) {
        joint.learn(
            new LabeledBatch(
                "all", batch.sampleIds(), batch.subjectIds(), batch.features(), batch.labels()));
      }
      assertThat(continual.weights().maxRelativeDifference(joint.weights())).isLessThan(1e-6);
      int[] continualPredictions = continual.predict(data.test().features());
      assertThat(continualPredictions).isEqualTo(joint.predict(data.test().features()));
      double accuracy =
          ContinualEvaluation.matches(continualPredictions, data.test().labels()) / 10_000.0;
      assertThat(accuracy).isGreaterThanOrEqualTo(0.86);
      assertThat(matrix.averageAccuracy())
          .isCloseTo(accuracy, org.assertj.core.api.Assertions.within(0.01));
      assertThat(matrix.get(0, 0)).isGreaterThan(0.95); // task {0,1} alone is easy
    }
  }

  private static void assertEqualsRetraining(
      AnalyticLearner learner, Retention retention, AnalyticSettings settings, LabeledSet test) {
    try (AnalyticLearner retrained = new AnalyticLearner(settings)) {
      retention.retainedBatches().forEach(retrained::learn);
      assertThat(learner.classes()).isEqualTo(retrained.classes());
      assertThat(learner.weights().maxRelativeDifference(retrained.weights())).isLessThan(1e-9);
      assertThat(learner.predict(test.features())).isEqualTo(retrained.predict(test.features()));
    }
  }

  /** Tracks which samples of a stream are retained, and erases through a learner. */
  private static final class Retention {
    private final List<LabeledBatch> stream;
    private final java.util.Set<String> erased = new java.util.HashSet<>();

    Retention(List<LabeledBatch> stream) {
      this.stream = stream;
    }

    interface RowFilter {
      boolean test(LabeledBatch batch, int row);
    }

    void eraseWhere(AnalyticLearner learner, RowFilter filter, int chunk) {
      List<String> ids = new java.util.ArrayList<>();
      List<float[]> rows = new java.util.ArrayList<>();
      List<Integer> labels = new java.util.ArrayList<>();
      for (LabeledBatch batch : stream) {
        for (int i = 0; i < batch.size(); i++) {
          if (!erased.contains(batch.sampleIds().get(i)) && filter.test(batch, i)) {
            ids.add(batch.sampleIds().get(i));
            rows.add(batch.features()[i]);
            labels.add(batch.labels()[i]);
          }
        }
      }
      for (int start = 0; start < ids.size(); start += chunk) {
        int end = Math.min(ids.size(), start + chunk);
        learner.eraseSamples(
            ids.subList(start, end),
            rows.subList(start, end).toArray(new float[0][]),
            labels.subList(start, end).stream().mapToInt(Integer::intValue).toArray());
      }
      erased.addAll(ids);
    }

    void forgetTask(String task) {
      for (LabeledBatch batch : stream) {
        if (batch.task().equals(task)) {
          erased.addAll(batch.sampleIds());
        }
      }
    }

    List<LabeledBatch> retainedBatches() {
      return stream.stream()
          .map(
              batch -> {
                int[] keep =
                    IntStream.range(0, batch.size())
                        .filter(i -> !erased.contains(batch.sampleIds().get(i)))
                        .toArray();
                return new LabeledBatch(
                    batch.task(),
                    Arrays.stream(keep).mapToObj(batch.sampleIds()::get).toList(),
                    Arrays.stream(keep).mapToObj(batch.subjectIds()::get).toList(),
                    Arrays.stream(keep).mapToObj(i -> batch.features()[i]).toArray(float[][]::new),
                    Arrays.stream(keep).map(i -> batch.labels()[i]).toArray());
              })
          .filter(batch -> batch.size() > 0)
          .toList();
    }
  }
}
