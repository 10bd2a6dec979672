package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.settings.SettingDef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analytic evaluation's report spells every setting as its declaration does. */
class AnalyticEvaluationSpellingTest {
  @Test
  void shouldWriteEvaluationSettingsUnderTheirDeclaredKeys(@TempDir Path dir) throws Exception {
    AnalyticEvaluation.Options options =
        new AnalyticEvaluation.Options(
            42L, 16, List.of(1.0), 0.1, SplitTaskStream.Options.fashionMnist(7L, 5000), 1);
    EvalReport report =
        new AnalyticEvaluation(EvalData.of(FashionMnist.load()), options, line -> {}).run();
    Path file = dir.resolve("report.json");
    report.write(file);

    JsonNode settings = EvalReport.mapper().readTree(file.toFile()).get("settings");
    List<String> keys = new ArrayList<>();
    settings.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactlyElementsOf(
            AnalyticSettings.SETTINGS.stream().map(SettingDef::key).toList());
    assertThat(settings.get(AnalyticSettings.BUFFER_SIZE.key()).asInt()).isEqualTo(16);
  }
}
