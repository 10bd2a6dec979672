package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.lethe.learners.hypernet.SyntheticTasks.Samples;
import io.lethe.learners.hypernet.SyntheticTasks.Task;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HypernetLearnerTest {

  private static final int TEST_SIZE = 500;
  private static final int SAMPLES_PER_TASK = 1024;
  private static final int MICRO_BATCH = 32;
  private static final double CHANCE = 0.5;

  /** Distance from chance that still counts as "at chance" on 500 test samples. */
  private static final double CHANCE_TOLERANCE = 0.08;

  @Test
  void shouldLearnTaskAboveAccuracyBar() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 1);
    Task a = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      data.stream(learner, "a", a, SAMPLES_PER_TASK, MICRO_BATCH);

      assertThat(accuracy(learner, "a", a)).isGreaterThanOrEqualTo(0.9);
      assertThat(learner.activeTasks()).containsExactly("a");
    }
  }

  @Test
  void shouldKeepEarlierTaskWithStabilityTermAndForgetItWithout() {
    double withStability = accuracyOfFirstTaskAfterConflictingTask(0.1);
    double without = accuracyOfFirstTaskAfterConflictingTask(0.0);

    assertThat(withStability).isGreaterThanOrEqualTo(0.88);
    assertThat(without).isLessThan(withStability - 0.2);
  }

  /**
   * Learns task a, then task b with the opposite labels on the same inputs; returns a's accuracy.
   */
  private static double accuracyOfFirstTaskAfterConflictingTask(double beta) {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 2);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.flipped(a, TEST_SIZE);
    try (HypernetLearner learner =
        new HypernetLearner(SmallSettings.builder().optBeta(beta).build())) {
      data.stream(learner, "a", a, SAMPLES_PER_TASK, MICRO_BATCH);
      learner.finishTask("a");
      data.stream(learner, "b", b, SAMPLES_PER_TASK, MICRO_BATCH);
      assertThat(accuracy(learner, "b", b)).isGreaterThanOrEqualTo(0.85);
      return accuracy(learner, "a", a);
    }
  }

  @Test
  void shouldForgetTaskWithoutItsData() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 3);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    Task c = data.newTask(TEST_SIZE);
    Task d = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      for (String name : new String[] {"a", "b", "c"}) {
        Task task = name.equals("a") ? a : name.equals("b") ? b : c;
        data.stream(learner, name, task, SAMPLES_PER_TASK, MICRO_BATCH);
        learner.finishTask(name);
      }
      double aBefore = accuracy(learner, "a", a);
      double bBefore = accuracy(learner, "b", b);
      double cBefore = accuracy(learner, "c", c);

      EraseReport report = learner.eraseTask("b");

      assertThat(bBefore).isGreaterThanOrEqualTo(0.9);
      assertThat(report.steps()).isEqualTo(100);
      assertThat(report.retainedTasks()).isEqualTo(2);
      assertThat(accuracy(learner, "b", b)).isCloseTo(CHANCE, within(CHANCE_TOLERANCE));
      assertThat(accuracy(learner, "a", a)).isCloseTo(aBefore, within(0.03));
      assertThat(accuracy(learner, "c", c)).isCloseTo(cBefore, within(0.03));
      assertThat(learner.activeTasks()).containsExactly("a", "c");
      assertThat(learner.erasedTasks()).containsExactly("b");
      assertThat(learner.nextEraseSteps()).isEqualTo(90);

      data.stream(learner, "d", d, SAMPLES_PER_TASK, MICRO_BATCH);

      assertThat(accuracy(learner, "d", d)).isGreaterThanOrEqualTo(0.85);
      // relapse means the erased task's accuracy climbing back while new tasks train the shared
      // hypernetwork; drifting below chance is not relapse
      assertThat(accuracy(learner, "b", b))
          .as("erased task must not relapse")
          .isLessThanOrEqualTo(CHANCE + CHANCE_TOLERANCE);
    }
  }

  /**
   * The erasure's noise comes from the engine's generator, one per process, which other code (other
   * test classes among it) seeds and draws from. Before the learner seeded it from its own seed, an
   * erased task's score here depended on which test classes had run before: once 0.416, against
   * chance +- 0.08. {@link #shouldForgetTaskWithoutItsData} now scores 0.452 whatever the generator
   * held. Over learner seeds 1-29 the erased task scored 0.450-0.708, 26 of them within 0.08 of
   * chance: a random classifier of these 20-dimensional tasks spreads that wide.
   */
  @Test
  void shouldEraseAlikeFromOneSeedWhateverTheEnginesGeneratorHeld() {
    float[][][] keptScores = new float[2][][];
    int[][] erasedPredictions = new int[2][];
    for (int run = 0; run < 2; run++) {
      SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 8);
      Task a = data.newTask(TEST_SIZE);
      Task b = data.newTask(TEST_SIZE);
      try (HypernetLearner learner =
          new HypernetLearner(SmallSettings.builder().optFirstEraseSteps(10).build())) {
        data.stream(learner, "a", a, SAMPLES_PER_TASK / 4, MICRO_BATCH);
        learner.finishTask("a");
        data.stream(learner, "b", b, SAMPLES_PER_TASK / 4, MICRO_BATCH);
        learner.finishTask("b");
        Engine.getInstance().setRandomSeed(run + 1);

        learner.eraseTask("b");

        keptScores[run] = learner.scores("a", a.testX());
        erasedPredictions[run] = learner.auditPredict("b", b.testX());
      }
    }
    assertThat(keptScores[1]).isDeepEqualTo(keptScores[0]);
    assertThat(erasedPredictions[1]).isEqualTo(erasedPredictions[0]);
  }

  @Test
  void shouldRefuseErasedTaskOnLearnAndPredict() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 4);
    Task a = data.newTask(TEST_SIZE);
    Samples batch = data.samples(a, MICRO_BATCH);
    try (HypernetLearner learner =
        new HypernetLearner(SmallSettings.builder().optFirstEraseSteps(5).build())) {
      learner.learn("a", batch.x(), batch.y());
      learner.eraseTask("a");

      String expected =
          "task 'a' was erased from this hypernetwork model and cannot %s; an erased task never"
              + " comes back (use a new task id for new data)";
      assertThatThrownBy(() -> learner.learn("a", batch.x(), batch.y()))
          .isInstanceOf(TaskErasedException.class)
          .hasMessage(expected, "learn");
      assertThatThrownBy(() -> learner.predict("a", batch.x()))
          .isInstanceOf(TaskErasedException.class)
          .hasMessage(expected, "be scored");
      assertThat(learner.eraseTask("a").steps()).as("repeated erasure is a no-op").isZero();
      assertThat(learner.learn("a2", batch.x(), batch.y()).steps()).isEqualTo(8);
    }
  }

  @Test
  void shouldEraseLastRemainingTask() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 5);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      data.stream(learner, "a", a, SAMPLES_PER_TASK, MICRO_BATCH);
      assertThat(accuracy(learner, "a", a)).isGreaterThanOrEqualTo(0.9);

      EraseReport report = learner.eraseTask("a");

      assertThat(report.retainedTasks()).isZero();
      assertThat(report.steps()).isEqualTo(100);
      assertThat(learner.activeTasks()).isEmpty();
      assertThat(accuracy(learner, "a", a)).isCloseTo(CHANCE, within(CHANCE_TOLERANCE));

      data.stream(learner, "b", b, SAMPLES_PER_TASK, MICRO_BATCH);

      assertThat(accuracy(learner, "b", b)).isGreaterThanOrEqualTo(0.85);
      assertThat(learner.eraseTask("b").steps()).isEqualTo(90);
    }
  }

  @Test
  void shouldLearnOnThreadOtherThanTheEngineLoader() throws Exception {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 6);
    Task a = data.newTask(TEST_SIZE);
    Samples first = data.samples(a, MICRO_BATCH);
    Samples second = data.samples(a, MICRO_BATCH);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      learner.learn("a", first.x(), first.y());
      Future<LearnReport> report =
          pool.submit(
              () -> {
                // A fresh thread as PyTorch starts it: grad mode on.
                JniUtils.setGradMode(true);
                LearnReport learned = learner.learn("a", second.x(), second.y());
                assertThat(JniUtils.isGradMode()).as("grad mode after learning").isFalse();
                learner.eraseTask("a");
                return learned;
              });

      assertThat(report.get(60, TimeUnit.SECONDS).meanLoss()).isFinite();
      assertThat(learner.erasedTasks()).containsExactly("a");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRejectMalformedBatchesWithClearMessages() {
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      float[][] narrow = {new float[19]};
      float[][] valid = {new float[20]};
      float[][] withNaN = {new float[20]};
      withNaN[0][3] = Float.NaN;

      assertThatThrownBy(() -> learner.learn("t", narrow, new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("hypernetwork learner: sample 0 of task 't' has 19 features, expected 20");
      assertThatThrownBy(() -> learner.learn("t", withNaN, new int[] {0}))
          .hasMessage(
              "hypernetwork learner: sample 0 of task 't' has feature 3 = NaN; features must be"
                  + " finite");
      assertThatThrownBy(() -> learner.learn("t", valid, new int[] {2}))
          .hasMessage(
              "hypernetwork learner: sample 0 of task 't' has label 2, expected 0..1 (labels are"
                  + " numbered within each task)");
      assertThatThrownBy(() -> learner.predict("unknown", valid))
          .hasMessage("unknown task 'unknown'; active tasks: []");
      assertThat(learner.learn("t", valid, new int[] {1}).samples()).isEqualTo(1);
    }
  }

  @Test
  void shouldHoldConstantNativeMemoryOverThousandsOfSteps() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 7);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    Samples batchA = data.samples(a, MICRO_BATCH);
    Samples batchB = data.samples(b, MICRO_BATCH);
    try (HypernetLearner learner =
        new HypernetLearner(SmallSettings.builder().optFirstEraseSteps(20).build())) {
      learner.learn("a", batchA.x(), batchA.y());
      learner.learn("b", batchB.x(), batchB.y());
      learner.predict("a", batchA.x());
      int warm = learner.liveArrayCount();

      for (int i = 0; i < 250; i++) {
        learner.learn("b", batchB.x(), batchB.y());
      }
      learner.predict("a", batchA.x());

      assertThat(learner.liveArrayCount()).as("arrays after 2000 more steps").isEqualTo(warm);
    }
  }

  private static double accuracy(HypernetLearner learner, String name, Task task) {
    return SyntheticTasks.accuracy(learner, name, task);
  }
}
