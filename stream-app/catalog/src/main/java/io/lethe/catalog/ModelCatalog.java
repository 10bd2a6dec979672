package io.lethe.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import io.lethe.records.LearnerKind;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The models Lethe runs and the datasets they learn from, read from a YAML file (or built as
 * objects) and validated once at start-up. Every key is declared once, by {@link DatasetSpec},
 * {@link ModelSpec}, {@link SnapshotPolicy} and the learners' settings types; {@code
 * docs/catalog.md} is generated from those declarations ({@link CatalogReference}). Errors name the
 * file and the path the user wrote, e.g. {@code catalog.yaml: models[0].settings.buffer-size}.
 *
 * @param datasets datasets by name, in file order
 * @param models models in file order
 */
public record ModelCatalog(Map<String, DatasetSpec> datasets, List<ModelSpec> models)
    implements Serializable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Top-level key of the dataset list. */
  public static final String DATASETS = "datasets";

  /** Top-level key of the model list. */
  public static final String MODELS = "models";

  /**
   * Copies both collections, keeping their order, and checks that every model learns a declared
   * dataset and no model name repeats.
   */
  public ModelCatalog {
    datasets = Collections.unmodifiableMap(new LinkedHashMap<>(datasets));
    models = List.copyOf(models);
    Set<String> names = new HashSet<>();
    for (ModelSpec model : models) {
      if (!names.add(model.name())) {
        throw new CatalogException("model '" + model.name() + "' is declared more than once");
      }
      if (!datasets.containsKey(model.dataset())) {
        throw new CatalogException(
            "model '"
                + model.name()
                + "': dataset is '"
                + model.dataset()
                + "', expected one of the declared datasets "
                + datasets.keySet());
      }
    }
  }

  /** A catalog of these datasets and models, in this order. */
  public static ModelCatalog of(List<DatasetSpec> datasets, List<ModelSpec> models) {
    Map<String, DatasetSpec> byName = new LinkedHashMap<>();
    for (DatasetSpec dataset : datasets) {
      if (byName.putIfAbsent(dataset.name(), dataset) != null) {
        throw new CatalogException("dataset '" + dataset.name() + "' is declared more than once");
      }
    }
    return new ModelCatalog(byName, models);
  }

  /** Reads and validates a catalog file. */
  public static ModelCatalog load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CatalogException("model catalog " + file + " does not exist");
    } catch (IOException e) {
      throw new CatalogException("cannot read model catalog " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.getFileName().toString());
  }

  /**
   * Parses and validates catalog YAML.
   *
   * @param origin name used in error messages, usually the file name
   */
  public static ModelCatalog parse(String yaml, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new CatalogException(
          origin + ": not valid YAML: " + e.getOriginalMessage().replace('\n', ' '), e);
    }
    if (root == null || !root.isObject()) {
      throw new CatalogException(
          origin + ": expected a mapping with keys '" + DATASETS + "' and '" + MODELS + "'");
    }
    new Section(origin, "", root).requireOnly(List.of(DATASETS, MODELS));

    Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
    List<JsonNode> datasetNodes = list(origin, root, DATASETS);
    for (int i = 0; i < datasetNodes.size(); i++) {
      DatasetSpec dataset =
          dataset(new Section(origin, DATASETS + "[" + i + "]", datasetNodes.get(i)));
      if (datasets.putIfAbsent(dataset.name(), dataset) != null) {
        throw new CatalogException(
            origin + ": dataset '" + dataset.name() + "' is declared more than once");
      }
    }
    List<ModelSpec> models = new ArrayList<>();
    List<JsonNode> modelNodes = list(origin, root, MODELS);
    for (int i = 0; i < modelNodes.size(); i++) {
      ModelSpec model =
          model(new Section(origin, MODELS + "[" + i + "]", modelNodes.get(i)), datasets);
      if (models.stream().anyMatch(m -> m.name().equals(model.name()))) {
        throw new CatalogException(
            origin + ": model '" + model.name() + "' is declared more than once");
      }
      models.add(model);
    }
    try {
      return new ModelCatalog(datasets, models);
    } catch (IllegalArgumentException e) {
      throw new CatalogException(origin + ": " + e.getMessage(), e);
    }
  }

  /**
   * The catalog as YAML that {@link #parse} reads back to an equal catalog: every key under its
   * declared spelling, defaults written out.
   */
  public String toYaml() {
    Map<String, Object> root = new LinkedHashMap<>();
    List<Object> datasetList = new ArrayList<>();
    for (DatasetSpec d : datasets.values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      put(entry, DatasetSpec.NAME, d.name());
      put(entry, DatasetSpec.FEATURES, d.features());
      put(entry, DatasetSpec.CLASSES, d.classes());
      put(entry, DatasetSpec.MAX_ABS_FEATURE, d.maxAbsFeature());
      datasetList.add(entry);
    }
    root.put(DATASETS, datasetList);
    List<Object> modelList = new ArrayList<>();
    for (ModelSpec m : models) {
      Map<String, Object> entry = new LinkedHashMap<>();
      put(entry, ModelSpec.NAME, m.name());
      put(entry, ModelSpec.LEARNER, m.learner());
      put(entry, ModelSpec.DATASET, m.dataset());
      put(entry, ModelSpec.DEVICE, m.device());
      if (m.shards() != ModelSpec.SHARDS.defaultValue().orElseThrow()) {
        put(entry, ModelSpec.SHARDS, m.shards());
      }
      Map<String, Object> snapshot = new LinkedHashMap<>();
      put(snapshot, SnapshotPolicy.EVERY_SAMPLES, m.snapshot().everySamples());
      put(snapshot, SnapshotPolicy.INTERVAL, m.snapshot().interval());
      put(snapshot, SnapshotPolicy.AFTER_ERASURE, m.snapshot().afterErasure());
      entry.put(ModelSpec.SNAPSHOT, snapshot);
      if (!m.settings().isEmpty()) {
        entry.put(ModelSpec.LEARNER_SETTINGS, m.learnerValues().asText());
      }
      modelList.add(entry);
    }
    root.put(MODELS, modelList);
    try {
      return new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@link #toYaml()} to {@code file}, e.g. for a job that reads its catalog from a file.
   */
  public Path write(Path file) {
    try {
      return Files.writeString(file, toYaml());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model catalog " + file, e);
    }
  }

  private static <T> void put(Map<String, Object> entry, SettingDef<T> def, T value) {
    entry.put(def.key(), def.format(value));
  }

  /** The dataset of that name, if declared. */
  public Optional<DatasetSpec> dataset(String name) {
    return Optional.ofNullable(datasets.get(name));
  }

  /** The model of that name, if declared. */
  public Optional<ModelSpec> model(String name) {
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** The models that learn from {@code dataset}, in file order. */
  public List<ModelSpec> modelsLearning(String dataset) {
    return models.stream().filter(m -> m.dataset().equals(dataset)).toList();
  }

  private static List<JsonNode> list(String origin, JsonNode root, String key) {
    JsonNode node = root.get(key);
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new CatalogException(origin + ": '" + key + "' must be a non-empty list");
    }
    List<JsonNode> items = new ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  private static DatasetSpec dataset(Section section) {
    section.requireOnly(DatasetSpec.SETTINGS.stream().map(SettingDef::key).toList());
    return new DatasetSpec(
        section.get(DatasetSpec.NAME),
        section.get(DatasetSpec.FEATURES),
        section.get(DatasetSpec.CLASSES),
        section.get(DatasetSpec.MAX_ABS_FEATURE));
  }

  private static ModelSpec model(Section section, Map<String, DatasetSpec> datasets) {
    List<String> keys = new ArrayList<>(ModelSpec.SETTINGS.stream().map(SettingDef::key).toList());
    keys.add(ModelSpec.SNAPSHOT);
    keys.add(ModelSpec.LEARNER_SETTINGS);
    section.requireOnly(keys);
    String name = section.get(ModelSpec.NAME);
    LearnerKind learner = section.get(ModelSpec.LEARNER);
    String dataset = section.get(ModelSpec.DATASET);
    if (!datasets.containsKey(dataset)) {
      throw section.invalid(
          ModelSpec.DATASET.key(), dataset, "one of the declared datasets " + datasets.keySet());
    }
    String device = section.get(ModelSpec.DEVICE);
    int shards = section.get(ModelSpec.SHARDS);
    Section snapshotSection = section.child(ModelSpec.SNAPSHOT);
    SnapshotPolicy snapshot =
        snapshotSection == null ? SnapshotPolicy.defaults() : snapshotPolicy(snapshotSection);
    Map<String, String> settings = new LinkedHashMap<>();
    Section settingsSection = section.child(ModelSpec.LEARNER_SETTINGS);
    if (settingsSection != null) {
      for (Map.Entry<String, JsonNode> entry : settingsSection.node().properties()) {
        if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
          throw settingsSection.invalid(
              entry.getKey(), entry.getValue().toString(), "a single value");
        }
        settings.put(entry.getKey(), entry.getValue().asText());
      }
      try {
        SettingValues.parse(settingsSection.prefix(), ModelSpec.learnerSettings(learner), settings);
      } catch (IllegalArgumentException e) {
        throw new CatalogException(e.getMessage(), e);
      }
    }
    try {
      return new ModelSpec(name, learner, dataset, device, snapshot, settings, shards);
    } catch (IllegalArgumentException e) {
      throw new CatalogException(section.origin() + ": " + e.getMessage(), e);
    }
  }

  private static SnapshotPolicy snapshotPolicy(Section section) {
    section.requireOnly(SnapshotPolicy.SETTINGS.stream().map(SettingDef::key).toList());
    long everySamples = section.get(SnapshotPolicy.EVERY_SAMPLES);
    Duration interval = section.get(SnapshotPolicy.INTERVAL);
    Duration afterErasure = section.get(SnapshotPolicy.AFTER_ERASURE);
    return new SnapshotPolicy(everySamples, interval, afterErasure);
  }

  /**
   * One mapping of the file at {@code path} (e.g. {@code models[0].snapshot}); its errors carry the
   * origin and the path of the key.
   */
  private record Section(String origin, String path, JsonNode node) {
    Section {
      if (!node.isObject()) {
        throw new CatalogException(
            origin
                + ": "
                + (path.isEmpty() ? "" : path + ": ")
                + "expected a mapping, found "
                + node);
      }
    }

    /** What precedes a key in errors, e.g. {@code catalog.yaml: models[0].}. */
    String prefix() {
      return origin + ": " + (path.isEmpty() ? "" : path + ".");
    }

    void requireOnly(List<String> allowed) {
      Set<String> keys = new LinkedHashSet<>(allowed);
      node.fieldNames()
          .forEachRemaining(
              key -> {
                if (!keys.contains(key)) {
                  throw new CatalogException(
                      origin
                          + ": "
                          + (path.isEmpty() ? "" : path + ": ")
                          + "unknown key '"
                          + key
                          + "', expected one of "
                          + keys.stream().sorted().toList());
                }
              });
    }

    Section child(String key) {
      JsonNode child = node.get(key);
      return child == null || child.isNull() ? null : new Section(origin, path + "." + key, child);
    }

    /** The value of a declared key, or its default; checked against the declaration. */
    <T> T get(SettingDef<T> def) {
      JsonNode value = node.get(def.key());
      if (value == null || value.isNull()) {
        return def.defaultValue()
            .orElseThrow(() -> new CatalogException(prefix() + def.key() + " is required"));
      }
      if (!value.isValueNode()) {
        throw invalid(def.key(), value.toString(), def.allowed());
      }
      if (value.asText().isBlank()) {
        throw new CatalogException(prefix() + def.key() + " is required");
      }
      try {
        return def.parse(prefix(), value.asText());
      } catch (IllegalArgumentException e) {
        throw new CatalogException(e.getMessage(), e);
      }
    }

    CatalogException invalid(String key, String value, String allowed) {
      return new CatalogException(prefix() + key + " is '" + value + "', expected " + allowed);
    }
  }
}
