package io.lethe.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.LearnerKind;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {
  private static final String VALID =
      """
      datasets:
        - name: fashion-mnist
          features: 784
          classes: 10
      models:
        - name: fmnist-analytic
          learner: analytic
          dataset: fashion-mnist
          snapshot:
            every-samples: 500
            interval: 2s
            after-erasure: 250ms
          settings:
            buffer-size: 1024
            gamma: 0.5
        - name: fmnist-hypernet
          learner: hypernetwork
          dataset: fashion-mnist
          device: gpu0
      """;

  @Test
  void shouldReadADatasetsFeatureBoundAndRefuseANonPositiveOne() {
    String bounded = VALID.replace("classes: 10", "classes: 10\n    max-abs-feature: 1.5");
    assertThat(ModelCatalog.parse(bounded, "catalog.yaml").dataset("fashion-mnist"))
        .contains(new DatasetSpec("fashion-mnist", 784, 10, 1.5));

    String negative = VALID.replace("classes: 10", "classes: 10\n    max-abs-feature: -1");
    assertThatThrownBy(() -> ModelCatalog.parse(negative, "catalog.yaml"))
        .isInstanceOf(CatalogException.class)
        .hasMessage(
            "catalog.yaml: datasets[0].max-abs-feature is '-1', expected a finite number > 0");
  }

  @Test
  void shouldReadShardsAndRefuseThemForAHypernetwork() {
    assertThat(ModelCatalog.parse(VALID, "catalog.yaml").model("fmnist-analytic").orElseThrow())
        .extracting(ModelSpec::shards)
        .isEqualTo(1);
    String sharded = VALID.replace("learner: analytic", "learner: analytic\n    shards: 4");
    ModelCatalog catalog = ModelCatalog.parse(sharded, "catalog.yaml");
    assertThat(catalog.model("fmnist-analytic").orElseThrow().shards()).isEqualTo(4);
    assertThat(ModelCatalog.parse(catalog.toYaml(), "again")).isEqualTo(catalog);

    String hypernet = VALID.replace("device: gpu0", "device: gpu0\n    shards: 2");
    assertThatThrownBy(() -> ModelCatalog.parse(hypernet, "catalog.yaml"))
        .isInstanceOf(CatalogException.class)
        .hasMessage(
            "catalog.yaml: model 'fmnist-hypernet': shards is 2, but a hypernetwork model learns"
                + " in one subtask; only analytic models can have shards > 1");
    String zero = VALID.replace("learner: analytic", "learner: analytic\n    shards: 0");
    assertThatThrownBy(() -> ModelCatalog.parse(zero, "catalog.yaml"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("models[0].shards is '0'");
  }

  @Test
  void shouldReadModelsDatasetsAndSnapshotPolicies() {
    ModelCatalog catalog = ModelCatalog.parse(VALID, "catalog.yaml");

    assertThat(catalog.dataset("fashion-mnist"))
        .contains(new DatasetSpec("fashion-mnist", 784, 10));
    assertThat(catalog.models())
        .extracting(ModelSpec::name)
        .containsExactly("fmnist-analytic", "fmnist-hypernet");
    ModelSpec analytic = catalog.model("fmnist-analytic").orElseThrow();
    assertThat(analytic.learner()).isEqualTo(LearnerKind.ANALYTIC);
    assertThat(analytic.device()).isEqualTo("cpu");
    assertThat(analytic.snapshot())
        .isEqualTo(new SnapshotPolicy(500, Duration.ofSeconds(2), Duration.ofMillis(250)));
    assertThat(analytic.settings()).isEqualTo(Map.of("buffer-size", "1024", "gamma", "0.5"));
    ModelSpec hypernet = catalog.model("fmnist-hypernet").orElseThrow();
    assertThat(hypernet.learner()).isEqualTo(LearnerKind.HYPERNETWORK);
    assertThat(hypernet.device()).isEqualTo("gpu0");
    assertThat(hypernet.snapshot()).isEqualTo(SnapshotPolicy.defaults());
    assertThat(catalog.modelsLearning("fashion-mnist")).hasSize(2);
    assertThat(catalog.modelsLearning("mnist")).isEmpty();
  }

  @Test
  void shouldLoadTheBundledDefaultCatalog() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("default-catalog.yaml")) {
      ModelCatalog catalog =
          ModelCatalog.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default");
      assertThat(catalog.models())
          .extracting(ModelSpec::learner)
          .containsExactly(LearnerKind.ANALYTIC, LearnerKind.HYPERNETWORK);
    }
  }

  @Test
  void shouldNameTheFileWhenItIsMissing(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ModelCatalog.load(missing))
        .isInstanceOf(CatalogException.class)
        .hasMessage("model catalog " + missing + " does not exist");
  }

  @Test
  void shouldLoadFromAFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.yaml"), VALID);
    assertThat(ModelCatalog.load(file).models()).hasSize(2);
  }

  @Test
  void shouldNameModelAndKeyOfAnUnknownLearner() {
    assertInvalid(
        VALID.replace("learner: hypernetwork", "learner: transformer"),
        "catalog.yaml: models[1].learner is 'transformer', expected analytic or hypernetwork");
  }

  @Test
  void shouldRejectAModelOfAnUndeclaredDataset() {
    assertInvalid(
        VALID.replace("dataset: fashion-mnist\n    snapshot", "dataset: mnist\n    snapshot"),
        "catalog.yaml: models[0].dataset is 'mnist', expected one of the declared datasets"
            + " [fashion-mnist]");
  }

  @Test
  void shouldRejectABadDuration() {
    assertInvalid(
        VALID.replace("interval: 2s", "interval: 2 parsecs"),
        "catalog.yaml: models[0].snapshot.interval is '2 parsecs', expected a positive duration"
            + " like 500ms, 30s, 10m, 1h or 7d");
  }

  @Test
  void shouldRejectANonPositiveSampleCount() {
    assertInvalid(
        VALID.replace("every-samples: 500", "every-samples: 0"),
        "catalog.yaml: models[0].snapshot.every-samples is '0', expected an integer >= 1");
  }

  @Test
  void shouldRejectAnUnknownKeyListingTheAllowedOnes() {
    assertInvalid(
        VALID.replace("device: gpu0", "devise: gpu0"),
        "catalog.yaml: models[1]: unknown key 'devise', expected one of [dataset, device,"
            + " learner, name, settings, shards, snapshot]");
  }

  @Test
  void shouldRejectAnUnknownDevice() {
    assertInvalid(
        VALID.replace("device: gpu0", "device: tpu"),
        "catalog.yaml: models[1].device is 'tpu', expected cpu, gpu or gpuN");
  }

  @Test
  void shouldRejectDuplicateModelNames() {
    assertInvalid(
        VALID.replace("name: fmnist-hypernet", "name: fmnist-analytic"),
        "catalog.yaml: model 'fmnist-analytic' is declared more than once");
  }

  @Test
  void shouldRejectADatasetWithOneClass() {
    assertInvalid(
        VALID.replace("classes: 10", "classes: 1"),
        "catalog.yaml: datasets[0].classes is '1', expected an integer >= 2");
  }

  @Test
  void shouldRejectAMissingModelName() {
    assertInvalid(
        VALID.replace("  - name: fmnist-hypernet\n", "  - learner: analytic\n"),
        "catalog.yaml: models[1].name is required");
  }

  @Test
  void shouldRejectAnEmptyModelList() {
    assertInvalid(
        "datasets:\n  - {name: d, features: 2, classes: 2}\nmodels: []\n",
        "catalog.yaml: 'models' must be a non-empty list");
  }

  @Test
  void shouldRejectYamlThatDoesNotParse() {
    assertThatThrownBy(() -> ModelCatalog.parse("models: [unclosed", "catalog.yaml"))
        .isInstanceOf(CatalogException.class)
        .hasMessageStartingWith("catalog.yaml: not valid YAML: ");
  }

  private static void assertInvalid(String yaml, String message) {
    assertThatThrownBy(() -> ModelCatalog.parse(yaml, "catalog.yaml"))
        .isInstanceOf(CatalogException.class)
        .hasMessage(message);
  }
}
