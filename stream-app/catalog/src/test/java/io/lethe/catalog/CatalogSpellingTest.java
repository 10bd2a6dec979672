package io.lethe.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
import io.lethe.records.LearnerKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The catalog reader knows each key by its declared spelling only: every declared key is read, any
 * other spelling of it (snake_case, dotted) is refused naming the path.
 */
class CatalogSpellingTest {

  @Test
  void shouldDeclareEveryCatalogKeyOnceInKebabCase() {
    List<List<SettingDef<?>>> sections = new ArrayList<>();
    sections.add(DatasetSpec.SETTINGS);
    sections.add(ModelSpec.SETTINGS);
    sections.add(SnapshotPolicy.SETTINGS);
    for (LearnerKind learner : LearnerKind.values()) {
      sections.add(ModelSpec.learnerSettings(learner));
    }
    for (List<SettingDef<?>> section : sections) {
      Set<String> keys = new HashSet<>();
      for (SettingDef<?> setting : section) {
        assertThat(setting.key()).matches(SettingDef.KEY);
        assertThat(keys.add(setting.key())).as("%s declared twice", setting.key()).isTrue();
      }
    }
  }

  @Test
  void shouldReadEveryDeclaredLearnerSettingUnderItsKey() {
    for (LearnerKind learner : LearnerKind.values()) {
      Map<String, String> every = new LinkedHashMap<>();
      for (SettingDef<?> setting : ModelSpec.learnerSettings(learner)) {
        every.put(setting.key(), defaultText(setting));
      }
      ModelCatalog catalog = catalogWith(learner, every);

      ModelCatalog read = ModelCatalog.parse(catalog.toYaml(), "catalog.yaml");

      assertThat(read).isEqualTo(catalog);
      assertThat(read.models().get(0).learnerValues().asText()).isEqualTo(every);
    }
  }

  @Test
  void shouldRefuseAnyOtherSpellingOfADeclaredKey() {
    for (LearnerKind learner : LearnerKind.values()) {
      for (SettingDef<?> setting : ModelSpec.learnerSettings(learner)) {
        for (String other :
            List.of(setting.key().replace('-', '_'), setting.key().replace('-', '.'))) {
          if (other.equals(setting.key())) {
            continue;
          }
          String yaml =
              catalogWith(learner, Map.of())
                  .toYaml()
                  .replace(
                      "    after-erasure: 1s\n",
                      "    after-erasure: 1s\n  settings:\n    "
                          + other
                          + ": '"
                          + defaultText(setting)
                          + "'\n");
          assertThatThrownBy(() -> ModelCatalog.parse(yaml, "catalog.yaml"))
              .isInstanceOf(CatalogException.class)
              .hasMessageStartingWith(
                  "catalog.yaml: models[0].settings." + other + " is not a known setting");
        }
      }
    }
  }

  private static ModelCatalog catalogWith(LearnerKind learner, Map<String, String> settings) {
    ModelSpec model = ModelSpec.of("m", learner, "d");
    return ModelCatalog.of(
        List.of(new DatasetSpec("d", 4, 2)),
        List.of(
            new ModelSpec(
                model.name(),
                learner,
                model.dataset(),
                model.device(),
                model.snapshot(),
                settings)));
  }

  /** A valid text value: the declared default, or 2 where the default comes from context. */
  private static <T> String defaultText(SettingDef<T> setting) {
    return setting.defaultValue().map(setting::format).orElse("2");
  }
}
