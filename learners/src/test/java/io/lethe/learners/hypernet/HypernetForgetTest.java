package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.hypernet.SyntheticTasks.Samples;
import io.lethe.learners.hypernet.SyntheticTasks.Task;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forgetting some of a task's samples: erase its weights, learn it again from what it keeps. */
class HypernetForgetTest {

  private static final int TEST_SIZE = 500;
  private static final int STEPS = 240;

  private static HypernetSettings settings() {
    return SmallSettings.builder()
        .optStepsPerBatch(2)
        .optStepsPerTask(STEPS)
        .optForgetSteps(STEPS)
        .optFirstEraseSteps(20)
        .build();
  }

  @Test
  void shouldLearnTheTaskAgainFromTheKeptSamplesOnlyAndKeepTheOtherTask() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 31);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    Samples aSamples = data.samples(a, 400);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      learner.learn("a", aSamples.x(), aSamples.y());
      learner.trainToBudget(Long.MAX_VALUE);
      learner.finishTask("a");
      data.stream(learner, "b", b, 256, 64);
      learner.trainToBudget(Long.MAX_VALUE);
      double aBefore = SyntheticTasks.accuracy(learner, "a", a);
      double bBefore = SyntheticTasks.accuracy(learner, "b", b);
      java.nio.ByteBuffer embeddingBefore = embedding(learner, "a");

      // forget the first 100 samples of a
      float[][] keptX = Arrays.copyOfRange(aSamples.x(), 100, 400);
      int[] keptY = Arrays.copyOfRange(aSamples.y(), 100, 400);
      ForgetReport report = learner.forgetSamples("a", keptX, keptY);

      assertThat(report.eraseSteps()).isEqualTo(20);
      assertThat(report.relearnSteps()).isEqualTo(STEPS);
      assertThat(report.keptSamples()).isEqualTo(300);
      assertThat(report.removed()).isFalse();
      assertThat(learner.activeTasks()).containsExactly("a", "b");
      assertThat(learner.nextEraseSteps()).as("task erasure's schedule untouched").isEqualTo(20);
      assertThat(embedding(learner, "a")).isNotEqualTo(embeddingBefore);
      ModelSnapshot snapshot = snapshot(learner);
      assertThat(snapshot.getLineage().getSamplesPerTask())
          .extracting(TaskSamples::getTask, TaskSamples::getSamples)
          .first()
          .isEqualTo(org.assertj.core.groups.Tuple.tuple("a", 300L));
      // relearned from 300 of its 400 samples; b held by the stability term
      assertThat(SyntheticTasks.accuracy(learner, "a", a)).isGreaterThan(aBefore - 0.05);
      assertThat(SyntheticTasks.accuracy(learner, "b", b)).isGreaterThan(bBefore - 0.03);
      // the current task's window was refilled: it still owes nothing and can go on learning
      assertThat(learner.stepsToBudget()).isZero();
      data.stream(learner, "b", b, 64, 64);
    }
  }

  @Test
  void shouldRemoveATaskThatKeepsNothingWithoutRefusingIt() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 32);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      data.stream(learner, "a", a, 128, 64);
      learner.finishTask("a");
      data.stream(learner, "b", b, 128, 64);

      ForgetReport report = learner.forgetSamples("a", new float[0][], new int[0]);

      assertThat(report.removed()).isTrue();
      assertThat(report.relearnSteps()).isZero();
      assertThat(learner.activeTasks()).containsExactly("b");
      assertThat(learner.erasedTasks()).isEmpty();
      assertThat(snapshot(learner).getLineage().getSamplesPerTask())
          .extracting(TaskSamples::getTask)
          .containsExactly("b");
      data.stream(learner, "a", a, 64, 64);
      assertThat(learner.activeTasks()).containsExactly("b", "a");
    }
  }

  @Test
  void shouldRefuseErasedUnknownOrMalformedTasks() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 33);
    Task a = data.newTask(TEST_SIZE);
    Task b = data.newTask(TEST_SIZE);
    try (HypernetLearner learner = new HypernetLearner(settings())) {
      data.stream(learner, "a", a, 64, 64);
      data.stream(learner, "b", b, 64, 64);
      learner.eraseTask("a");
      Samples kept = data.samples(b, 10);
      assertThatThrownBy(() -> learner.forgetSamples("a", kept.x(), kept.y()))
          .isInstanceOf(TaskErasedException.class);
      assertThatThrownBy(() -> learner.forgetSamples("c", kept.x(), kept.y()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown task 'c'");
      assertThatThrownBy(() -> learner.forgetSamples("b", kept.x(), new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(learner.activeTasks()).containsExactly("b");
    }
  }

  private static ModelSnapshot snapshot(HypernetLearner learner) {
    return learner.toSnapshot(new SnapshotHeader("m", 1, null, Instant.EPOCH, List.of()));
  }

  /** The task's embedding tensor in a snapshot, as its bytes. */
  private static java.nio.ByteBuffer embedding(HypernetLearner learner, String task) {
    String name = "task." + learner.activeTasks().indexOf(task) + ".embedding";
    return snapshot(learner).getTensors().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getData();
  }
}
