package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The job's learners as the catalog declares them: settings, erasure answers and checkpoints. */
class CatalogLearnersTest {
  private static final String CATALOG =
      """
      datasets:
        - {name: blobs, features: 8, classes: 4}
      models:
        - name: analytic
          learner: analytic
          dataset: blobs
          settings: {buffer-size: 64, gamma: 0.5, seed: 3}
        - name: hypernet
          learner: hypernetwork
          dataset: blobs
          settings: {target-hidden: "16", trunk-hidden: "16,16", steps-per-batch: 2, batch-size: 16, seed: 1, first-erase-steps: 5, forget-steps: 10}
      """;

  private final ModelCatalog catalog = ModelCatalog.parse(CATALOG, "test");
  private final DatasetSpec dataset = catalog.dataset("blobs").orElseThrow();

  @Test
  void shouldAcceptTheCatalogsSettings() {
    CatalogLearners.validate(catalog);
    assertThat(AnalyticModelLearner.settings(model("analytic"), dataset).bufferSize())
        .isEqualTo(64);
    assertThat(HypernetModelLearner.settings(model("hypernet"), dataset).targetHidden())
        .containsExactly(16);
  }

  @Test
  void shouldNameTheModelAndKeyOfAnUnknownSetting() {
    String typo = CATALOG.replace("buffer-size: 64", "bufer-size: 64");
    assertThatThrownBy(() -> ModelCatalog.parse(typo, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "test: models[0].settings.bufer-size is not a known setting; expected one of"
                + " [buffer-size, gamma, max-classes, refresh-after-downdates, seed,"
                + " woodbury-max-rows]");
  }

  @Test
  void shouldNameTheModelOfAnInvalidValue() {
    String bad = CATALOG.replace("gamma: 0.5", "gamma: -1");
    assertThatThrownBy(() -> ModelCatalog.parse(bad, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("test: models[0].settings.gamma is '-1', expected a finite number > 0");
    String notANumber = CATALOG.replace("steps-per-batch: 2", "steps-per-batch: two");
    assertThatThrownBy(() -> ModelCatalog.parse(notANumber, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("test: models[1].settings.steps-per-batch is 'two', expected an integer >= 1");
    assertThatThrownBy(() -> model("analytic").with(AnalyticSettings.BUFFER_SIZE, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model 'analytic': settings.buffer-size is 0, expected an integer >= 1");
  }

  @Test
  void shouldForgetSamplesAndTasksApproximatelyInTheHypernetwork() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      learn(learner, "b", 3, 2);

      ErasureResult samples =
          learner.eraseSamples(
              List.of("a-0", "b-1"),
              List.of("a", "b"),
              new byte[][] {learnedRow("a", 0, 1, 0), learnedRow("b", 3, 2, 1)},
              new int[] {0, 2});
      assertThat(samples.guarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
      assertThat(samples.samplesErased()).isEqualTo(2);
      assertThat(samples.reason())
          .contains(
              "task a: 1 sample(s) erased, the task's weights erased by noise alignment (5 steps)"
                  + " and learned again with a fresh embedding from its 39 kept samples (10"
                  + " steps,")
          .contains("task b: 1 sample(s) erased")
          .contains("the erased samples' mean loss")
          .endsWith(HypernetModelLearner.FORGET_AUDIT);
      assertThat(learner.snapshot(header(1)).getLineage().getSamplesPerTask())
          .extracting(t -> t.getTask() + "=" + t.getSamples())
          .containsExactly("a=39", "b=39");

      ErasureResult again =
          learner.eraseSamples(
              List.of("a-0"), List.of("a"), new byte[][] {learnedRow("a", 0, 1, 0)}, new int[] {0});
      assertThat(again)
          .isEqualTo(
              new ErasureResult(
                  ErasureGuarantee.EXACT, "no sample of the request is learned by this model", 0));

      ErasureResult task = learner.eraseTasks(List.of("a", "never"));
      assertThat(task.guarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
      assertThat(task.reason()).contains("task(s) [never] were not learned");

      ModelSnapshot snapshot = learner.snapshot(header(1));
      assertThat(SnapshotChecksum.verify(snapshot)).isTrue();
      assertThat(snapshot.getScoring())
          .contains(new Setting("task.a.classes", "0,1"), new Setting("task.b.classes", "3,2"));
    }
  }

  @Test
  void shouldTakeBudgetStepsOnlyInSpareTimeWhileSamplesCome() {
    long tick = 100_000_000L;
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      long stepsBefore = learner.trainingSteps();

      assertThat(learner.trainWhileIdle(new IdleTick(tick, 0, true)))
          .as("samples came and nothing was spare")
          .isZero();
      assertThat(learner.trainingSteps()).isEqualTo(stepsBefore);

      int steps = learner.trainWhileIdle(new IdleTick(tick, 0, false));
      assertThat(steps).as("no samples came: the tick is the learner's").isPositive();
      assertThat(learner.trainingSteps()).isEqualTo(stepsBefore + steps);

      assertThat(learner.trainWhileIdle(new IdleTick(tick, 1, true)))
          .as("less spare time than a step takes: none started")
          .isZero();
      assertThat(learner.trainingSteps()).isEqualTo(stepsBefore + steps);
    }
  }

  @Test
  void shouldRestoreTheHypernetworkFromItsCheckpointPart() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      Map<String, byte[]> parts = learner.drainChangedState();
      assertThat(parts).containsOnlyKeys(HypernetModelLearner.STATE_PART, "samples/a/0");
      assertThat(learner.drainChangedState()).isEmpty();
      try (ModelLearner restored =
          new CatalogLearners().create(model("hypernet"), dataset, parts)) {
        ModelSnapshot before = learner.snapshot(header(1));
        ModelSnapshot after = restored.snapshot(header(1));
        assertThat(after.getTensors()).isEqualTo(before.getTensors());
        assertThat(after.getScoring()).isEqualTo(before.getScoring());
        // the kept samples came back too: the restored model can forget one of them
        ErasureResult forgotten =
            restored.eraseSamples(
                List.of("a-3"),
                List.of("a"),
                new byte[][] {learnedRow("a", 0, 1, 3)},
                new int[] {1});
        assertThat(forgotten.reason()).contains("from its 39 kept samples");
      }
    }
  }

  @Test
  void shouldRemoveAHypernetworkTaskWhoseEverySampleIsErased() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      learn(learner, "b", 3, 2);
      List<String> ids = new ArrayList<>();
      List<String> tasks = new ArrayList<>();
      byte[][] rows = new byte[40][];
      int[] labels = new int[40];
      for (int i = 0; i < 40; i++) {
        ids.add("a-" + i);
        tasks.add("a");
        rows[i] = learnedRow("a", 0, 1, i);
        labels[i] = i % 2 == 0 ? 0 : 1;
      }
      ErasureResult all = learner.eraseSamples(ids, tasks, rows, labels);
      assertThat(all.reason()).contains("task a: 40 sample(s) erased, none kept");
      ModelSnapshot snapshot = learner.snapshot(header(2));
      assertThat(snapshot.getScoring()).doesNotContain(new Setting("task.a.classes", "0,1"));
      try (Scorer scorer = Scorers.fromSnapshot(snapshot)) {
        assertThat(scorer.isEmpty()).isFalse();
      }
      assertThat(learner.drainChangedState()).containsEntry("samples/a/0", null);
      // not refused: the task may be learned anew
      learn(learner, "a", 0, 1);
      assertThat(learner.snapshot(header(3)).getScoring())
          .contains(new Setting("task.a.classes", "0,1"));
    }
  }

  @Test
  void shouldNeedNothingForHypernetworkSamplesGoneWithAnErasedTask() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      learn(learner, "b", 3, 2);
      learner.eraseTasks(List.of("b"));
      ErasureResult gone =
          learner.eraseSamples(
              List.of("b-3", "b-5"),
              List.of("b", "b"),
              new byte[][] {learnedRow("b", 3, 2, 3), learnedRow("b", 3, 2, 5)},
              new int[] {2, 2});
      assertThat(gone)
          .isEqualTo(
              new ErasureResult(
                  ErasureGuarantee.EXACT,
                  "2 of the samples had already gone with an erased task",
                  0));
    }
  }

  @Test
  void shouldReportAnalyticErasuresAsExactOrRejectedWithTheReason() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("analytic"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      ErasureResult unknown =
          learner.eraseSamples(
              List.of("nope"), List.of("a"), new byte[][] {row(0, 0)}, new int[] {0});
      assertThat(unknown)
          .isEqualTo(ErasureResult.rejected("sample nope was never learned by this model"));
      ErasureResult task = learner.eraseTasks(List.of("a", "b"));
      assertThat(task.guarantee()).isEqualTo(ErasureGuarantee.EXACT);
      assertThat(task.samplesErased()).isEqualTo(40);
      assertThat(task.reason())
          .isEqualTo("task(s) b not learned by this model; nothing to erase there");

      // Nothing is left, and the receipts need a version: a snapshot with no classes.
      ModelSnapshot empty = learner.snapshot(header(2));
      assertThat(SnapshotChecksum.verify(empty)).isTrue();
      assertThat(empty.getTensors().get(0).getShape()).containsExactly(64L, 0L);
    }
  }

  @Test
  void shouldSnapshotAHypernetworkWhoseEveryTaskWasErased() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("hypernet"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      learn(learner, "b", 3, 2);
      learner.eraseTasks(List.of("a", "b"));
      ModelSnapshot empty = learner.snapshot(header(2));
      assertThat(SnapshotChecksum.verify(empty)).isTrue();
      try (Scorer scorer = Scorers.fromSnapshot(empty)) {
        assertThat(scorer.isEmpty()).isTrue();
      }
    }
  }

  @Test
  void shouldEraseTheRestOfASubjectWhosePartInAnErasedTaskIsGone() {
    try (ModelLearner learner =
        new CatalogLearners().create(model("analytic"), dataset, Map.of())) {
      learn(learner, "a", 0, 1);
      learn(learner, "b", 2, 3);
      learner.eraseTasks(List.of("b"));
      ErasureResult subject =
          learner.eraseSamples(
              List.of("a-3", "b-3"),
              List.of("a", "b"),
              new byte[][] {learnedRow("a", 0, 1, 3), learnedRow("b", 2, 3, 3)},
              new int[] {1, 3});
      assertThat(subject)
          .isEqualTo(
              new ErasureResult(
                  ErasureGuarantee.EXACT,
                  "1 of the samples had already gone with an erased task",
                  1));
    }
  }

  @Test
  void shouldRefuseABatchWithARowThatIsNotOnePackedVector() {
    for (String kind : List.of("analytic", "hypernet")) {
      try (ModelLearner learner = new CatalogLearners().create(model(kind), dataset, Map.of())) {
        byte[] cutShort = java.util.Arrays.copyOf(row(1, 0.5), 6);
        assertThatThrownBy(
                () ->
                    learner.learn(
                        "a",
                        List.of("a-0", "a-1"),
                        new byte[][] {row(0, 0), cutShort},
                        new int[] {0, 1}))
            .as(kind)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("row 1: packed features are cut short");
      }
    }
  }

  private ModelSpec model(String name) {
    return catalog.model(name).orElseThrow();
  }

  private static SnapshotHeader header(long version) {
    return new SnapshotHeader("m", version, null, Instant.EPOCH, List.of());
  }

  /** 20 samples of each of two classes, as Gaussian blobs around class-specific centres. */
  private static void learn(ModelLearner learner, String task, int first, int second) {
    List<String> ids = new ArrayList<>();
    byte[][] x = new byte[40][];
    int[] y = new int[40];
    SplittableRandom random = new SplittableRandom(task.hashCode());
    for (int i = 0; i < 40; i++) {
      int label = i % 2 == 0 ? first : second;
      ids.add(task + "-" + i);
      x[i] = row(label, random.nextDouble());
      y[i] = label;
    }
    learner.learn(task, ids, x, y);
  }

  /** The features {@link #learn} gave sample {@code index} of {@code task}. */
  private static byte[] learnedRow(String task, int first, int second, int index) {
    SplittableRandom random = new SplittableRandom(task.hashCode());
    double noise = 0;
    for (int i = 0; i <= index; i++) {
      noise = random.nextDouble();
    }
    return row(index % 2 == 0 ? first : second, noise);
  }

  /** A row of 8 features, packed as the job carries them. */
  private static byte[] row(int label, double noise) {
    float[] row = new float[8];
    row[label] = 1f;
    row[7] = (float) noise;
    return new PackedFeatures().pack(row);
  }
}
