package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.hypernet.SyntheticTasks.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step budget per task: steps added on the current task's window, never past the budget. */
class HypernetStepBudgetTest {

  private static final int TEST_SIZE = 500;
  private static final int BUDGET = 240;

  private static HypernetSettings settings() {
    return SmallSettings.builder().optStepsPerBatch(2).optStepsPerTask(BUDGET).build();
  }

  @Test
  void shouldTrainASmallTaskToItsBudgetAndNoFurther() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 21);
    Task a = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      data.stream(learner, "a", a, 256, 64); // 4 micro-batches, 8 steps
      double streamed = SyntheticTasks.accuracy(learner, "a", a);
      assertThat(learner.stepsPerTask()).containsEntry("a", 8L);
      assertThat(learner.stepsToBudget()).isEqualTo(BUDGET - 8);

      assertThat(learner.trainToBudget(0)).as("one step per call at least").isEqualTo(1);
      int steps = 1;
      while (learner.stepsToBudget() > 0) {
        steps += learner.trainToBudget(Long.MAX_VALUE);
      }

      assertThat(steps).isEqualTo(BUDGET - 8);
      assertThat(learner.stepsPerTask()).containsEntry("a", (long) BUDGET);
      assertThat(learner.trainToBudget(Long.MAX_VALUE)).as("budget spent").isZero();
      assertThat(learner.stepsPerTask()).containsEntry("a", (long) BUDGET);
      double budgeted = SyntheticTasks.accuracy(learner, "a", a);
      // measured: 0.644 after the stream alone, 0.87 with the budget
      assertThat(budgeted).isGreaterThanOrEqualTo(0.82).isGreaterThan(streamed + 0.1);
    }
  }

  @Test
  void shouldOweNothingOnceTheTaskIsFinishedOrErased() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 22);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      data.stream(learner, "a", a, 32, 32);
      learner.finishTask("a");
      assertThat(learner.stepsToBudget()).as("window emptied").isZero();
      assertThat(learner.trainToBudget(Long.MAX_VALUE)).isZero();

      data.stream(learner, "b", b, 32, 32);
      assertThat(learner.stepsToBudget()).isEqualTo(BUDGET - 2);
      learner.eraseTask("b");
      assertThat(learner.stepsToBudget()).isZero();
      assertThat(learner.stepsPerTask()).containsOnlyKeys("a");
    }
  }

  @Test
  void shouldAddStepsToTheCurrentTaskAfterAnotherTaskIsErased() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 23);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      data.stream(learner, "a", a, 32, 32);
      learner.finishTask("a");
      data.stream(learner, "b", b, 32, 32);
      learner.eraseTask("a");

      assertThat(learner.trainToBudget(Long.MAX_VALUE)).isEqualTo(BUDGET - 2);
      assertThat(learner.stepsPerTask()).containsOnlyKeys("b").containsEntry("b", (long) BUDGET);
    }
  }

  /**
   * The job's order: task 1 is half-way through its budget when task 0's erasure comes. At the real
   * size (Fashion-MNIST, default settings) a fresh optimizer after the erasure knocked task 1 from
   * 0.96 to 0.75 in one step; its learn operation now keeps its Adam state.
   */
  @Test
  void shouldNotKnockTheCurrentTaskBackWhenAnotherTaskIsErased() {
    FashionMnist data = FashionMnist.load();
    HypernetSettings settings =
        HypernetSettings.builder(FashionMnist.FEATURES).optSeed(3).optStepsPerBatch(16).build();
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      stream(learner, data.train(), 0);
      steps(learner, 150);
      learner.finishTask("0");
      stream(learner, data.train(), 1);
      steps(learner, 100);
      double before = accuracy(learner, data.test(), 1);

      learner.eraseTask("0");
      double lowest = 1;
      for (int s = 0; s < 5; s++) {
        steps(learner, 1);
        lowest = Math.min(lowest, accuracy(learner, data.test(), 1));
      }

      // measured: 0.9585 before; the lowest of the next 5 steps 0.7475 with a fresh optimizer,
      // 0.9265 keeping it (single steps on the window move it by about 0.02 either way)
      assertThat(before).isGreaterThan(0.9);
      assertThat(lowest).isGreaterThan(before - 0.05);
    }
  }

  /** 600 training samples of Split Fashion-MNIST task t in micro-batches of 128, as in the job. */
  private static void stream(HypernetLearner learner, LabeledSet train, int t) {
    LabeledSet task = SplitTask.of(train, t, 600);
    for (int from = 0; from < task.size(); from += 128) {
      int to = Math.min(task.size(), from + 128);
      learner.learn(
          String.valueOf(t),
          Arrays.copyOfRange(task.features(), from, to),
          Arrays.copyOfRange(task.labels(), from, to));
    }
  }

  private static void steps(HypernetLearner learner, int count) {
    for (int s = 0; s < count; s++) {
      learner.trainToBudget(0); // one step
    }
  }

  private static double accuracy(HypernetLearner learner, LabeledSet test, int t) {
    LabeledSet task = SplitTask.of(test, t, Integer.MAX_VALUE);
    return SyntheticTasks.accuracy(
        learner.auditPredict(String.valueOf(t), task.features()), task.labels());
  }

  /** Task t of Split Fashion-MNIST (classes 2t, 2t+1 as local labels 0, 1). */
  private static final class SplitTask {
    static LabeledSet of(LabeledSet set, int t, int max) {
      List<float[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      for (int i = 0; i < set.size() && x.size() < max; i++) {
        if (set.labels()[i] / 2 == t) {
          x.add(set.features()[i]);
          y.add(set.labels()[i] % 2);
        }
      }
      return new LabeledSet(
          "task " + t, x.toArray(new float[0][]), y.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void shouldKeepRestoredStepCountsOfActiveTasksOnly() {
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 24);
      data.stream(learner, "a", data.newTask(10), 32, 32);
      learner.restoreStepsPerTask(java.util.Map.of("a", 100L, "gone", 7L));
      assertThat(learner.stepsPerTask()).containsOnlyKeys("a").containsEntry("a", 100L);
      assertThat(learner.stepsToBudget()).isEqualTo(BUDGET - 100);
    }
  }
}
