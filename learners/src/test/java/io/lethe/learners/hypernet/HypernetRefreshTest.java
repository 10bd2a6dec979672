package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.hypernet.SyntheticTasks.Samples;
import io.lethe.learners.hypernet.SyntheticTasks.Task;
import io.lethe.learners.refresh.RefreshSettings;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypernetRefreshTest {

  private static final SnapshotHeader HEADER =
      new SnapshotHeader("m", 1, null, Instant.parse("2026-11-26T04:00:00Z"), List.of());

  @Test
  void shouldRunUnlearnStepBeforeEachNormalStepWhenEnabled() {
    RefreshSettings deterministic = new RefreshSettings(true, 1, 1e-3, 0, 1e-3, 1e-5, 16);
    ModelSnapshot off = learnTwoTasks(RefreshSettings.defaults(), 0);
    ModelSnapshot offAgain = learnTwoTasks(RefreshSettings.defaults(), 0);
    ModelSnapshot on = learnTwoTasks(deterministic, 16);

    assertThat(offAgain.getTensors())
        .as("refresh off is deterministic")
        .isEqualTo(off.getTensors());
    assertThat(on.getTensors())
        .as("refresh on changes the trajectory")
        .isNotEqualTo(off.getTensors());
  }

  @Test
  void shouldStillLearnWithRefreshOn() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 31);
    Task a = data.newTask(500);
    Task b = data.newTask(500);
    HypernetSettings settings =
        SmallSettings.builder().optRefresh(RefreshSettings.enabledDefaults()).build();
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      data.stream(learner, "a", a, 1024, 32);
      learner.finishTask("a");
      data.stream(learner, "b", b, 1024, 32);

      assertThat(SyntheticTasks.accuracy(learner, "a", a)).isGreaterThanOrEqualTo(0.85);
      assertThat(SyntheticTasks.accuracy(learner, "b", b)).isGreaterThanOrEqualTo(0.85);
    }
  }

  /** Learns two micro-batches of a, finishes a (Fisher), one micro-batch of b; checks refresh. */
  private static ModelSnapshot learnTwoTasks(RefreshSettings refresh, int expectedRefreshSteps) {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 32);
    Samples a1 = data.samples(data.newTask(1), 32);
    Samples a2 = data.samples(data.newTask(1), 32);
    Samples b = data.samples(data.newTask(1), 32);
    try (HypernetLearner learner =
        new HypernetLearner(SmallSettings.builder().optRefresh(refresh).build())) {
      int refreshSteps = learner.learn("a", a1.x(), a1.y()).refreshSteps();
      refreshSteps += learner.learn("a", a2.x(), a2.y()).refreshSteps();
      learner.finishTask("a");
      learner.learn("b", b.x(), b.y());
      assertThat(refreshSteps).isEqualTo(expectedRefreshSteps);
      return learner.toSnapshot(HEADER);
    }
  }
}
