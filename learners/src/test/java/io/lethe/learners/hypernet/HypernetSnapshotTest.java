package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.hypernet.SyntheticTasks.Samples;
import io.lethe.learners.hypernet.SyntheticTasks.Task;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypernetSnapshotTest {

  private static final float SCORE_TOLERANCE = 1e-6f;
  private static final Instant CREATED = Instant.parse("2026-11-26T04:00:00Z");

  @Test
  void shouldScoreDecodedSnapshotExactlyAsLiveLearner() throws Exception {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 21);
    Task a = data.newTask(200);
    Task b = data.newTask(200);
    Task c = data.newTask(200);
    HypernetSettings settings = SmallSettings.builder().optFirstEraseSteps(10).build();
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      data.stream(learner, "a", a, 256, 32);
      data.stream(learner, "b", b, 128, 32);
      data.stream(learner, "c", c, 64, 32);
      learner.eraseTask("b");

      ModelSnapshot snapshot =
          learner.toSnapshot(new SnapshotHeader("synthetic", 7, 6L, CREATED, List.of("erase-1")));
      ModelSnapshot decoded = ModelSnapshot.fromByteBuffer(snapshot.toByteBuffer());

      assertThat(decoded.getLearner()).isEqualTo(LearnerKind.HYPERNETWORK);
      assertThat(decoded.getChecksum()).isEmpty();
      assertThat(decoded.getTensors().stream().map(Tensor::getName))
          .containsExactly(
              "hypernet.chunkEmbeddings",
              "hypernet.trunk.0.weight",
              "hypernet.trunk.0.bias",
              "hypernet.trunk.1.weight",
              "hypernet.trunk.1.bias",
              "hypernet.head.weight",
              "hypernet.head.bias",
              "task.0.embedding",
              "task.1.embedding");
      assertThat(decoded.getScoring().stream().map(s -> s.getKey() + "=" + s.getValue()))
          .containsExactly(
              "task-embedding-dim=32",
              "chunk-embedding-dim=8",
              "chunk-size=128",
              "trunk-hidden=32,64",
              "inputs=20",
              "target-hidden=32",
              "classes-per-task=2",
              "weight-scaling=1/sqrt(fan-in)",
              "task-count=2",
              "task.0.id=a",
              "task.1.id=c");
      assertThat(decoded.getLineage().getSamplesPerTask())
          .extracting(TaskSamples::getTask, TaskSamples::getSamples)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a", 256L),
              org.assertj.core.groups.Tuple.tuple("c", 64L));
      assertThat(decoded.getLineage().getErasedTasks()).containsExactly("b");
      assertThat(decoded.getLineage().getErasuresReflected()).containsExactly("erase-1");
      assertThat(decoded.getLineage().getPreviousVersion()).isEqualTo(6L);

      try (HypernetScorer scorer = HypernetScorer.fromSnapshot(decoded);
          HypernetLearner restored = HypernetLearner.fromSnapshot(decoded, settings)) {
        assertThat(scorer.tasks()).containsExactly("a", "c");
        for (String name : List.of("a", "c")) {
          Task task = name.equals("a") ? a : c;
          float[][] live = learner.scores(name, task.testX());
          assertClose(scorer.scores(name, task.testX()), live);
          assertClose(restored.scores(name, task.testX()), live);
          assertThat(scorer.predict(name, task.testX()))
              .containsExactly(learner.predict(name, task.testX()));
        }
        assertThatThrownBy(() -> scorer.scores("b", a.testX()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("model synthetic v7 has no task 'b'; tasks: [a, c]");
        assertThatThrownBy(() -> restored.predict("b", a.testX()))
            .isInstanceOf(TaskErasedException.class);
        assertThat(restored.nextEraseSteps()).isEqualTo(learner.nextEraseSteps());
      }
    }
  }

  @Test
  void shouldRefuseSnapshotWithNaNWeights() {
    float[][] huge = new float[8][SmallSettings.INPUTS];
    for (float[] row : huge) {
      java.util.Arrays.fill(row, 3e38f);
    }
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      learner.learn("a", huge, new int[] {0, 1, 0, 1, 0, 1, 0, 1});

      assertThatThrownBy(
              () -> learner.toSnapshot(new SnapshotHeader("m", 1, null, CREATED, List.of())))
          .isInstanceOf(DivergedModelException.class)
          .hasMessageStartingWith("refusing to snapshot model m v1: ")
          .hasMessageContaining("(NaN/Inf) at flat index")
          .hasMessageEndingWith(
              "the learner diverged: lower learning-rate (now 0.001) or check the"
                  + " inputs' scale");
    }
  }

  @Test
  void shouldRefuseSnapshotAfterDivergedLoss() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 22);
    Samples batch = data.samples(data.newTask(10), 32);
    try (HypernetLearner learner =
        new HypernetLearner(SmallSettings.builder().optDivergenceLoss(1e-3).build())) {
      LearnReport report = learner.learn("a", batch.x(), batch.y());

      assertThat(report.meanLoss()).isGreaterThan(1e-3);
      assertThatThrownBy(
              () -> learner.toSnapshot(new SnapshotHeader("m", 1, null, CREATED, List.of())))
          .isInstanceOf(DivergedModelException.class)
          .hasMessageContaining("exceeds divergence-loss = 0.001");
    }
  }

  @Test
  void shouldReadASnapshotWrittenUnderTheFormerKeys() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 23);
    Samples batch = data.samples(data.newTask(10), 32);
    HypernetSettings settings = SmallSettings.builder().build();
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      learner.learn("a", batch.x(), batch.y());
      ModelSnapshot snapshot =
          learner.toSnapshot(new SnapshotHeader("m", 1, null, CREATED, List.of()));
      java.util.Map<String, String> former = new java.util.HashMap<>();
      io.lethe.learners.snapshot.SnapshotSettings.FORMER_KEYS.forEach((o, n) -> former.put(n, o));
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
      old.setChecksum(io.lethe.schemas.snapshot.SnapshotChecksum.compute(old));
      assertThat(old.getScoring().stream().map(Setting::getKey)).contains("target.inputs");

      try (HypernetScorer scorer = HypernetScorer.fromSnapshot(old);
          HypernetLearner restored = HypernetLearner.fromSnapshot(old, settings)) {
        assertThat(scorer.architecture()).isEqualTo(settings.architecture());
        assertThat(scorer.tasks()).containsExactly("a");
      }
    }
  }

  @Test
  void shouldRejectSnapshotOfAnotherArchitecture() {
    SyntheticTasks data = new SyntheticTasks(SmallSettings.INPUTS, 23);
    Samples batch = data.samples(data.newTask(10), 32);
    try (HypernetLearner learner = new HypernetLearner(SmallSettings.builder().build())) {
      learner.learn("a", batch.x(), batch.y());
      ModelSnapshot snapshot =
          learner.toSnapshot(new SnapshotHeader("m", 1, null, CREATED, List.of()));
      HypernetSettings other = SmallSettings.builder().optChunkSize(64).build();

      assertThatThrownBy(() -> HypernetLearner.fromSnapshot(snapshot, other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("snapshot m v1 has architecture");

      List<Setting> bad = new java.util.ArrayList<>(snapshot.getScoring());
      bad.removeIf(s -> s.getKey().equals("inputs"));
      ModelSnapshot broken = ModelSnapshot.newBuilder(snapshot).setScoring(bad).build();
      assertThatThrownBy(() -> HypernetScorer.fromSnapshot(broken))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("snapshot lacks scoring setting inputs");
    }
  }

  @Test
  void shouldWriteArchitectureSettingsUnderTheirDeclaredKeysAndForms() {
    HypernetSettings settings = SmallSettings.builder().build();
    java.util.Map<String, String> declared = settings.values().asText();
    List<String> settingKeys = new java.util.ArrayList<>();
    for (Setting s : settings.architecture().toScoringSettings()) {
      if (HypernetSnapshots.LAYOUT_KEYS.contains(s.getKey())) {
        continue;
      }
      settingKeys.add(s.getKey());
      assertThat(s.getValue()).as(s.getKey()).isEqualTo(declared.get(s.getKey()));
    }
    assertThat(settingKeys)
        .as("snapshot keys other than the layout's must be declared setting keys")
        .isSubsetOf(declared.keySet())
        .containsExactlyElementsOf(
            HypernetArchitecture.SCORING_SETTINGS.stream()
                .map(io.lethe.learners.settings.SettingDef::key)
                .toList());
  }

  private static void assertClose(float[][] actual, float[][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      for (int k = 0; k < expected[i].length; k++) {
        assertThat(actual[i][k])
            .as("sample %d class %d", i, k)
            .isCloseTo(expected[i][k], org.assertj.core.api.Assertions.within(SCORE_TOLERANCE));
      }
    }
  }
}
