package io.lethe.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lethe.config.Durations;
import io.lethe.records.LearnerKind;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The models Lethe runs and the datasets they learn from, read from a YAML file and validated once
 * at start-up. See {@code stream-app/README.md} for the format; every error names the file, the
 * model or dataset and the key.
 *
 * @param datasets datasets by name, in file order
 * @param models models in file order
 */
public record ModelCatalog(Map<String, DatasetSpec> datasets, List<ModelSpec> models)
    implements Serializable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DEVICE = Pattern.compile("cpu|gpu\\d*");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

  /** Copies both collections, keeping their order. */
  public ModelCatalog {
    datasets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(datasets));
    models = List.copyOf(models);
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
      throw new CatalogException(origin + ": expected a mapping with keys 'datasets' and 'models'");
    }
    new Section(origin, root).requireOnly(Set.of("datasets", "models"));

    Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
    for (JsonNode node : list(origin, root, "datasets")) {
      DatasetSpec dataset = dataset(origin, node);
      if (datasets.putIfAbsent(dataset.name(), dataset) != null) {
        throw new CatalogException(
            origin + ": dataset '" + dataset.name() + "' is declared more than once");
      }
    }
    List<ModelSpec> models = new ArrayList<>();
    for (JsonNode node : list(origin, root, "models")) {
      ModelSpec model = model(origin, node, datasets);
      if (models.stream().anyMatch(m -> m.name().equals(model.name()))) {
        throw new CatalogException(
            origin + ": model '" + model.name() + "' is declared more than once");
      }
      models.add(model);
    }
    return new ModelCatalog(datasets, models);
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

  private static DatasetSpec dataset(String origin, JsonNode node) {
    Section section = new Section(origin + ": dataset", node);
    String name = section.name();
    section = new Section(origin + ": dataset '" + name + "'", node);
    section.requireOnly(Set.of("name", "features", "classes", "max-abs-feature"));
    int features = section.positiveInt("features", null);
    int classes = section.positiveInt("classes", null);
    if (classes < 2) {
      throw section.invalid("classes", String.valueOf(classes), "an integer >= 2");
    }
    double maxAbsFeature =
        section.positiveDouble("max-abs-feature", DatasetSpec.DEFAULT_MAX_ABS_FEATURE);
    return new DatasetSpec(name, features, classes, maxAbsFeature);
  }

  private static ModelSpec model(String origin, JsonNode node, Map<String, DatasetSpec> datasets) {
    Section section = new Section(origin + ": model", node);
    String name = section.name();
    section = new Section(origin + ": model '" + name + "'", node);
    section.requireOnly(Set.of("name", "learner", "dataset", "device", "snapshot", "settings"));

    String learnerText = section.requiredText("learner");
    LearnerKind learner =
        switch (learnerText.toLowerCase(Locale.ROOT)) {
          case "analytic" -> LearnerKind.ANALYTIC;
          case "hypernetwork", "hypernet" -> LearnerKind.HYPERNETWORK;
          default -> throw section.invalid("learner", learnerText, "analytic or hypernetwork");
        };
    String dataset = section.requiredText("dataset");
    if (!datasets.containsKey(dataset)) {
      throw section.invalid(
          "dataset", dataset, "one of the declared datasets " + datasets.keySet());
    }
    String device = section.optionalText("device", "cpu");
    if (!DEVICE.matcher(device).matches()) {
      throw section.invalid("device", device, "cpu, gpu or gpuN");
    }
    SnapshotPolicy snapshot = snapshotPolicy(section.child("snapshot"));
    Map<String, String> settings = new LinkedHashMap<>();
    JsonNode settingsNode = node.get("settings");
    if (settingsNode != null && !settingsNode.isNull()) {
      if (!settingsNode.isObject()) {
        throw section.invalid("settings", settingsNode.toString(), "a mapping of setting: value");
      }
      for (Map.Entry<String, JsonNode> entry : settingsNode.properties()) {
        if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
          throw section.invalid(
              "settings." + entry.getKey(), entry.getValue().toString(), "a single value");
        }
        settings.put(entry.getKey(), entry.getValue().asText());
      }
    }
    return new ModelSpec(name, learner, dataset, device, snapshot, settings);
  }

  private static SnapshotPolicy snapshotPolicy(Section section) {
    SnapshotPolicy defaults = SnapshotPolicy.defaults();
    if (section == null) {
      return defaults;
    }
    section.requireOnly(Set.of("every-samples", "interval", "after-erasure"));
    return new SnapshotPolicy(
        section.positiveInt("every-samples", (int) defaults.everySamples()),
        section.duration("interval", defaults.interval()),
        section.duration("after-erasure", defaults.afterErasure()));
  }

  /** One mapping of the file, with the prefix its errors carry. */
  private record Section(String where, JsonNode node) {
    Section {
      if (!node.isObject()) {
        throw new CatalogException(where + ": expected a mapping, found " + node);
      }
    }

    String name() {
      String name = requiredText("name");
      if (!NAME.matcher(name).matches()) {
        throw invalid("name", name, "1-200 characters of a-z A-Z 0-9 . _ -");
      }
      return name;
    }

    void requireOnly(Set<String> allowed) {
      node.fieldNames()
          .forEachRemaining(
              key -> {
                if (!allowed.contains(key)) {
                  throw new CatalogException(
                      where
                          + ": unknown key '"
                          + key
                          + "', expected one of "
                          + allowed.stream().sorted().toList());
                }
              });
    }

    Section child(String key) {
      JsonNode child = node.get(key);
      return child == null || child.isNull() ? null : new Section(where + ", " + key, child);
    }

    String requiredText(String key) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
        throw new CatalogException(where + ": key '" + key + "' is required");
      }
      return value.asText().trim();
    }

    String optionalText(String key, String fallback) {
      return node.hasNonNull(key) ? requiredText(key) : fallback;
    }

    int positiveInt(String key, Integer fallback) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        if (fallback == null) {
          throw new CatalogException(where + ": key '" + key + "' is required");
        }
        return fallback;
      }
      if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() <= 0) {
        throw invalid(key, value.asText(), "an integer > 0");
      }
      return value.intValue();
    }

    double positiveDouble(String key, double fallback) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        return fallback;
      }
      if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || value.doubleValue() <= 0) {
        throw invalid(key, value.asText(), "a finite number > 0");
      }
      return value.doubleValue();
    }

    Duration duration(String key, Duration fallback) {
      if (!node.hasNonNull(key)) {
        return fallback;
      }
      String text = requiredText(key);
      return Durations.parse(text).orElseThrow(() -> invalid(key, text, Durations.EXPECTED));
    }

    CatalogException invalid(String key, String value, String allowed) {
      return new CatalogException(
          where + ": key '" + key + "' is '" + value + "', expected " + allowed);
    }
  }
}
