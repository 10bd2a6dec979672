package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The analytic learner's snapshots spell every setting as its declaration ({@link
 * AnalyticSettings#SETTINGS}) does.
 */
class AnalyticSettingsSpellingTest {
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(77L, 30).withBufferSize(64).withGamma(0.25);

  @Test
  void shouldWriteSnapshotSettingsUnderTheirDeclaredKeysAndForms() {
    RandomSamples data = RandomSamples.generate(3L, 200, 30, 3, 20);
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      data.learnInto(learner, 100);
      ModelSnapshot snapshot =
          AnalyticSnapshots.encode(
              learner, new SnapshotHeader("m", 1, null, Instant.EPOCH, List.of()));

      Map<String, String> written = new LinkedHashMap<>();
      for (Setting s : snapshot.getScoring()) {
        written.put(s.getKey(), s.getValue());
      }
      Map<String, String> declared = SETTINGS.values().asText();
      List<String> settingKeys = new ArrayList<>(written.keySet());
      settingKeys.removeAll(AnalyticSnapshots.LAYOUT_KEYS);
      assertThat(settingKeys)
          .as("snapshot keys other than the layout's must be declared setting keys")
          .isSubsetOf(declared.keySet())
          .containsExactlyElementsOf(
              AnalyticSnapshots.SCORING_SETTINGS.stream().map(SettingDef::key).toList());
      for (String key : settingKeys) {
        assertThat(written.get(key)).as(key).isEqualTo(declared.get(key));
      }
    }
  }
}
