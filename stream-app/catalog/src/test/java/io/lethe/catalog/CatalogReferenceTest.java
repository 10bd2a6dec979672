package io.lethe.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.settings.SettingDef;
import io.lethe.records.LearnerKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/catalog.md is what the declarations generate, and documents every catalog key. */
class CatalogReferenceTest {

  @Test
  void shouldMatchTheGeneratedReference() throws IOException {
    Path file = repositoryRoot().resolve(CatalogReference.FILE);
    String checkedIn = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";

    assertThat(checkedIn)
        .as(
            "%s is stale or missing; regenerate it from the repository root with: %s",
            CatalogReference.FILE, CatalogReference.COMMAND)
        .isEqualTo(CatalogReference.markdown());
  }

  @Test
  void shouldDocumentEveryCatalogKeyWithItsDefault() {
    String reference = CatalogReference.markdown();
    List<SettingDef<?>> all = new ArrayList<>();
    all.addAll(DatasetSpec.SETTINGS);
    all.addAll(ModelSpec.SETTINGS);
    all.addAll(SnapshotPolicy.SETTINGS);
    for (LearnerKind learner : LearnerKind.values()) {
      all.addAll(ModelSpec.learnerSettings(learner));
    }
    for (SettingDef<?> setting : all) {
      assertThat(reference).contains("| `" + setting.key() + "` | " + setting.type() + " | ");
    }
  }

  @Test
  void shouldReadItsExampleBackAsTheSameCatalog() {
    ModelCatalog example = CatalogReference.example();

    assertThat(ModelCatalog.parse(example.toYaml(), "example")).isEqualTo(example);
  }

  /** The directory holding the {@code lethe} launcher, wherever this module sits below it. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("lethe"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root (a directory with ./lethe) above here");
    }
    return dir;
  }
}
