package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.settings.SettingDef;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs Fashion-MNIST (fails without it): 2 tasks, a few hundred samples each, a small model. */
class HypernetEvaluationTest {

  @Test
  void shouldWriteTheReportOfBothProtocolsOnASmallSubset(@TempDir Path dir) throws Exception {
    HypernetSettings settings =
        HypernetSettings.builder(FashionMnist.FEATURES)
            .optTargetHidden(List.of(16))
            .optTrunkHidden(List.of(16, 32))
            .optChunkEmbeddingDim(8)
            .optChunkSize(1024)
            .optWindowSize(256)
            .optBatchSize(32)
            .optStepsPerBatch(6)
            .optFirstEraseSteps(30)
            .optSeed(3)
            .build();
    SplitTaskStream.Options stream =
        SplitTaskStream.Options.fashionMnist(3, 64).withOrder(List.of(0, 1));
    HypernetEvaluation.Options options = new HypernetEvaluation.Options(settings, stream, 640, 200);

    FashionMnist data = FashionMnist.load();
    HypernetEvaluation.Report report =
        new HypernetEvaluation(EvalData.of(data), options, line -> {}).run();
    Path file = dir.resolve("report.json");
    report.write(file);

    JsonNode json = EvalReport.mapper().readTree(file.toFile());
    assertThat(json.get("learner").asText()).isEqualTo("hypernet");
    assertThat(json.get("seed").asLong()).isEqualTo(3);
    assertThat(json.get("refresh").asBoolean()).isFalse();
    JsonNode matrix = json.get("accuracy_matrix");
    assertThat(matrix.size()).isEqualTo(2);
    assertThat(matrix.get(0).get(1).isNull()).isTrue();
    for (double accuracy :
        List.of(
            matrix.get(0).get(0).asDouble(),
            matrix.get(1).get(0).asDouble(),
            matrix.get(1).get(1).asDouble())) {
      assertThat(accuracy).isGreaterThan(0.75).isLessThanOrEqualTo(1.0);
    }
    assertThat(json.get("average_accuracy").asDouble())
        .isCloseTo(
            (matrix.get(1).get(0).asDouble() + matrix.get(1).get(1).asDouble()) / 2,
            org.assertj.core.data.Offset.offset(1e-12));
    assertThat(json.get("bwt").asDouble()).isBetween(-0.2, 0.2);
    assertThat(json.get("samples_per_second").asDouble()).isPositive();
    assertThat(json.get("erase_seconds").asDouble()).isPositive();

    JsonNode erasure = json.get("erasure");
    assertThat(erasure.get("erased_task").asText()).isEqualTo("1");
    assertThat(erasure.get("erase_steps").asInt()).isEqualTo(30);
    assertThat(erasure.get("erased_accuracy_after").asDouble()).isBetween(0.0, 1.0);
    assertThat(erasure.get("chance_baseline").asText())
        .isEqualTo("majority class share of the erased task's test set");
    assertThat(erasure.get("chance_accuracy").asDouble())
        .isEqualTo(
            HypernetEvaluation.majorityShare(
                HypernetEvaluation.withinTask(
                    java.util.Arrays.copyOf(testLabelsOfTask(data, 2, 3), 200),
                    new SplitTaskStream.Task("1", List.of(2, 3)))));
    assertThat(erasure.get("erased_accuracy_after_two_more_tasks").asDouble()).isBetween(0.0, 1.0);
    assertThat(erasure.get("tasks_learned_after_erasure").asInt()).isZero();
    assertThat(erasure.get("retained_accuracy_before").get("0").asDouble()).isGreaterThan(0.75);
    assertThat(erasure.get("retained_accuracy_after").get("0").asDouble()).isGreaterThan(0.75);
    assertThat(json.get("protocol").get("train_samples_per_task").toString())
        .isEqualTo("[640,640]");
    List<String> settingKeys = new java.util.ArrayList<>();
    json.get("settings").fieldNames().forEachRemaining(settingKeys::add);
    assertThat(settingKeys)
        .as("evaluation settings are spelled as declared")
        .containsExactlyElementsOf(
            HypernetSettings.SETTINGS.stream().map(SettingDef::key).toList());
    assertThat(json.get("settings").get(HypernetSettings.WINDOW_SIZE.key()).asInt()).isEqualTo(256);
  }

  /** Fashion-MNIST's test labels of classes {@code a} and {@code b}, in file order. */
  private static int[] testLabelsOfTask(FashionMnist data, int a, int b) {
    return java.util.Arrays.stream(data.test().labels())
        .filter(label -> label == a || label == b)
        .toArray();
  }

  @Test
  void shouldTakeTheMajorityClassShareAsChance() {
    assertThat(HypernetEvaluation.majorityShare(new int[] {0, 1, 1, 1})).isEqualTo(0.75);
    assertThat(HypernetEvaluation.majorityShare(new int[] {1, 0, 1, 0})).isEqualTo(0.5);
    assertThat(HypernetEvaluation.majorityShare(new int[] {2})).isEqualTo(1.0);
    assertThat(HypernetEvaluation.majorityShare(new int[0])).isZero();
  }

  @Test
  void shouldMapGlobalLabelsToTheirPositionInTheTask() {
    SplitTaskStream.Task task = new SplitTaskStream.Task("3", List.of(6, 7));
    assertThat(HypernetEvaluation.withinTask(new int[] {7, 6, 6}, task)).containsExactly(1, 0, 0);
  }
}
