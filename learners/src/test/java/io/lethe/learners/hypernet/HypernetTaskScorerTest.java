package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.hypernet.SyntheticTasks.Samples;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypernetTaskScorerTest {
  private static final Instant CREATED = Instant.parse("2026-11-26T06:00:00Z");

  @Test
  void shouldMapEachTasksOutputUnitsToItsGlobalLabels() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 31);
    Samples a = data.samples(data.newTask(50), 64);
    Samples b = data.samples(data.newTask(50), 64);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      learner.learn("a", a.x(), a.y());
      learner.learn("b", b.x(), b.y());
      ModelSnapshot snapshot = withClasses(learner, "a", "4,5", "b", "7");

      try (Scorer scorer = Scorers.fromSnapshot(snapshot)) {
        assertThat(scorer).isInstanceOf(HypernetTaskScorer.class);
        assertThat(scorer.needsTask()).isTrue();
        assertThat(scorer.tasks()).containsExactly("a", "b");
        assertThat(scorer.inputDim()).isEqualTo(SmallSettings.INPUTS);
        assertThat(scorer.classes("a")).containsExactly(4, 5);
        assertThat(scorer.classes("b")).containsExactly(7);

        float[][] live = learner.scores("a", a.x());
        List<Prediction> predictions = scorer.predict("a", a.x());
        for (int i = 0; i < live.length; i++) {
          int unit = live[i][1] > live[i][0] ? 1 : 0;
          assertThat(predictions.get(i).label()).isEqualTo(unit == 0 ? 4 : 5);
          assertThat(predictions.get(i).scores()).containsExactly(live[i][0], live[i][1]);
        }
        // a task whose mapping names one class can only answer that class
        assertThat(scorer.predict("b", b.x())).allSatisfy(p -> assertThat(p.label()).isEqualTo(7));

        assertThatThrownBy(() -> scorer.predict(null, a.x()))
            .hasMessage("the hypernetwork model is task-incremental: name the task, one of [a, b]");
        assertThatThrownBy(() -> scorer.classes("z")).hasMessage("unknown task 'z'; tasks: [a, b]");
      }
    }
  }

  @Test
  void shouldRefuseAClassListLongerThanTheOutputUnitsAndABadChecksum() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 32);
    Samples a = data.samples(data.newTask(50), 32);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      learner.learn("a", a.x(), a.y());
      assertThatThrownBy(() -> Scorers.fromSnapshot(withClasses(learner, "a", "1,2,3")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "snapshot m v1: setting task.a.classes = '1,2,3' is not a list of at most 2 class"
                  + " labels");

      ModelSnapshot snapshot = withClasses(learner, "a", "0,1");
      snapshot.setChecksum("0".repeat(64));
      assertThatThrownBy(() -> Scorers.fromSnapshot(snapshot))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("snapshot m v1 fails its checksum; refusing to load it");
    }
  }

  private static ModelSnapshot withClasses(HypernetLearner learner, String... taskAndClasses) {
    ModelSnapshot snapshot =
        learner.toSnapshot(new SnapshotHeader("m", 1, null, CREATED, List.of()));
    List<Setting> scoring = new ArrayList<>(snapshot.getScoring());
    for (int i = 0; i < taskAndClasses.length; i += 2) {
      scoring.add(
          new Setting(HypernetTaskScorer.taskClassesKey(taskAndClasses[i]), taskAndClasses[i + 1]));
    }
    snapshot.setScoring(scoring);
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    return snapshot;
  }
}
