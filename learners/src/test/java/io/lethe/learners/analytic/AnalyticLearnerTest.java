package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The analytic learner's maths on random data: exactness of every erasure scope and refusals. */
class AnalyticLearnerTest {
  private static final int INPUT_DIM = 40;
  private static final double EXACT = 1e-9;
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(11L, INPUT_DIM).withBufferSize(256).withGamma(0.1);

  private final RandomSamples all = RandomSamples.generate(1L, 3000, INPUT_DIM, 4, 50);
  private final RandomSamples test = RandomSamples.generate(2L, 500, INPUT_DIM, 4, 50);

  @Test
  void shouldForgetSamplesExactly() {
    RandomSamples erased = all.filter(i -> i % 7 == 3);
    assertErasureEqualsRetraining(
        erased, learner -> erased.eraseFrom(learner, 10), all.filter(i -> i % 7 != 3));
  }

  @Test
  void shouldForgetSubjectExactly() {
    Set<String> forgotten = Set.of("u-3", "u-17", "u-40");
    RandomSamples erased = all.filter(i -> forgotten.contains(all.subjects.get(i)));
    RandomSamples retained = all.filter(i -> !forgotten.contains(all.subjects.get(i)));
    assertErasureEqualsRetraining(erased, learner -> erased.eraseFrom(learner, 1000), retained);
  }

  @Test
  void shouldForgetTaskExactlyWithoutItsData() {
    RandomSamples retained = all.filter(i -> !all.tasks.get(i).equals("t2"));
    assertErasureEqualsRetraining(null, learner -> learner.eraseTask("t2"), retained);
  }

  @Test
  void shouldForgetRowsThatWereNotYetAddedToTheSums() {
    // 3,000 rows in micro-batches of 5 (below SUM_BATCH_ROWS), nothing read in between: the
    // erasure meets rows still waiting to be summed, as in the learner job between checkpoints
    RandomSamples erased = all.filter(i -> i % 5 == 1);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 5);
      erased.eraseFrom(learner, 40);
      assertMatchesRetraining(learner, all.filter(i -> i % 5 != 1));
    }
  }

  @Test
  void shouldLearnTheSameInSmallOrLargeBatches() {
    try (AnalyticLearner small = new AnalyticLearner(SETTINGS);
        AnalyticLearner large = new AnalyticLearner(SETTINGS)) {
      all.learnInto(small, 3);
      all.learnInto(large, 3000);
      assertThat(small.weights().maxRelativeDifference(large.weights())).isLessThan(1e-12);
      assertThat(small.samplesPerTask()).isEqualTo(large.samplesPerTask());
    }
  }

  @Test
  void shouldZeroAClassExactlyWhenAllItsSamplesAreErased() {
    RandomSamples erased = all.filter(i -> all.labels.get(i) == 5);
    RandomSamples retained = all.filter(i -> all.labels.get(i) != 5);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 128);
      assertThat(learner.classes()).contains(5);
      learner.weights(); // solved: the first chunks are applied by Woodbury downdates
      erased.eraseFrom(learner, 50);
      assertThat(learner.classes()).doesNotContain(5);
      assertMatchesRetraining(learner, retained);
    }
  }

  @Test
  void shouldForgetWithTheWoodburyDowndateAsExactlyAsBySolving() {
    RandomSamples erased = all.filter(i -> i % 11 == 0).filter(i -> i < 30);
    RandomSamples retained = all.filter(i -> !(i % 11 == 0 && i < 11 * 30));
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 128);
      learner.weights();
      for (int i = 0; i < erased.size(); i++) {
        ErasureOutcome outcome =
            learner.eraseSamples(
                List.of(erased.ids.get(i)),
                new float[][] {erased.features.get(i)},
                new int[] {erased.labels.get(i)});
        assertThat(outcome.path())
            .isEqualTo(
                i < SETTINGS.refreshAfterDowndates()
                    ? ErasureOutcome.ModelUpdate.WOODBURY_DOWNDATE
                    : ErasureOutcome.ModelUpdate.RESOLVE_ON_READ);
        learner.weights();
      }
      assertMatchesRetraining(learner, retained);
      HeadWeights downdated = learner.weights();
      learner.resolve(); // from the sums, without the corrections
      assertThat(learner.weights().maxRelativeDifference(downdated)).isLessThan(EXACT);
    }
  }

  @Test
  void shouldEqualJointRidgeWhateverTheTaskOrder() {
    try (AnalyticLearner byTask = new AnalyticLearner(SETTINGS);
        AnalyticLearner joint = new AnalyticLearner(SETTINGS)) {
      for (String task : List.of("t3", "t1", "t0", "t2")) {
        all.filter(i -> all.tasks.get(i).equals(task)).learnInto(byTask, 64);
        byTask.finishTask(task);
      }
      RandomSamples oneTask = new RandomSamples();
      for (int i = 0; i < all.size(); i++) {
        oneTask.add(all.ids.get(i), "u", "joint", all.features.get(i), all.labels.get(i));
      }
      oneTask.learnInto(joint, 3000);
      assertThat(byTask.weights().maxRelativeDifference(joint.weights())).isLessThan(1e-6);
      assertThat(byTask.predict(test.rows())).isEqualTo(joint.predict(test.rows()));
    }
  }

  @Test
  void shouldEqualRidgeRegressionComputedIndependentlyOnTheJvm() {
    AnalyticSettings small = AnalyticSettings.defaults(5L, 6).withBufferSize(24).withGamma(0.5);
    RandomSamples data = RandomSamples.generate(9L, 200, 6, 2, 5);
    try (AnalyticLearner learner = new AnalyticLearner(small)) {
      data.learnInto(learner, 32);
      HeadWeights expected = RidgeReference.solve(small, data.rows(), data.labelArray());
      assertThat(learner.weights().maxRelativeDifference(expected)).isLessThan(1e-9);
    }
  }

  @Test
  void shouldRefuseUnknownSampleAndLeaveStateBitIdentical() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 256);
      learner.weights();
      String before = learner.stateDigest();
      assertThatThrownBy(
              () ->
                  learner.eraseSamples(
                      List.of(all.ids.get(0), "never-seen"),
                      new float[][] {all.features.get(0), all.features.get(1)},
                      new int[] {all.labels.get(0), all.labels.get(1)}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sample never-seen was never learned by this model");
      assertThat(learner.stateDigest()).isEqualTo(before);
      assertThatThrownBy(() -> learner.eraseTask("t9"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task t9 was never learned by this model");
      assertThat(learner.stateDigest()).isEqualTo(before);
    }
  }

  @Test
  void shouldRefuseDoubleErasureAndLeaveStateBitIdentical() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 256);
      RandomSamples first = all.filter(i -> i < 3);
      first.eraseFrom(learner, 3);
      learner.weights();
      learner.eraseTask("t1");
      String before = learner.stateDigest();
      assertThatThrownBy(() -> first.eraseFrom(learner, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sample s-0 was already erased");
      assertThatThrownBy(() -> learner.eraseTask("t1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task t1 was already erased");
      assertThat(learner.stateDigest()).isEqualTo(before);
    }
  }

  @Test
  void shouldRefuseErasureWithOtherFeaturesOrLabelThanLearned() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 256);
      String before = learner.stateDigest();
      float[] changed = all.features.get(4).clone();
      changed[0] += 0.5f;
      assertThatThrownBy(
              () ->
                  learner.eraseSamples(
                      List.of(all.ids.get(4)),
                      new float[][] {changed},
                      new int[] {all.labels.get(4)}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sample s-4 comes with other features than were learned");
      int wrongLabel = all.labels.get(4) == 0 ? 1 : 0;
      assertThatThrownBy(
              () ->
                  learner.eraseSamples(
                      List.of(all.ids.get(4)),
                      new float[][] {all.features.get(4)},
                      new int[] {wrongLabel}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was learned with label");
      assertThat(learner.stateDigest()).isEqualTo(before);
    }
  }

  @Test
  void shouldRefuseToLearnARepeatedOrNonFiniteSample() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 10).learnInto(learner, 10);
      String before = learner.stateDigest();
      assertThatThrownBy(
              () ->
                  learner.learn(
                      "t0", List.of("s-0"), new float[][] {all.features.get(0)}, new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sample s-0 was already learned");
      float[] nan = new float[INPUT_DIM];
      nan[7] = Float.NaN;
      assertThatThrownBy(
              () -> learner.learn("t0", List.of("new"), new float[][] {nan}, new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("row 0 has a non-finite feature NaN at index 7");
      assertThat(learner.stateDigest()).isEqualTo(before);
    }
  }

  private void assertErasureEqualsRetraining(
      RandomSamples unused,
      java.util.function.Consumer<AnalyticLearner> erase,
      RandomSamples kept) {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 128);
      learner.weights();
      erase.accept(learner);
      assertMatchesRetraining(learner, kept);
    }
  }

  private void assertMatchesRetraining(AnalyticLearner learner, RandomSamples retained) {
    try (AnalyticLearner retrained = new AnalyticLearner(SETTINGS)) {
      retained.learnInto(retrained, 128);
      HeadWeights expected = retrained.weights();
      assertThat(learner.classes()).isEqualTo(retrained.classes());
      assertThat(learner.weights().maxRelativeDifference(expected)).isLessThan(EXACT);
      assertThat(learner.predict(test.rows())).isEqualTo(retrained.predict(test.rows()));
      assertThat(learner.samplesPerTask()).isEqualTo(retrained.samplesPerTask());
    }
  }
}
