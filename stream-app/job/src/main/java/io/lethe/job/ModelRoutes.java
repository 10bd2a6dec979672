package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which models learn from which dataset: the part of the catalog that the job's routing operators
 * need, small and serializable so Flink can ship it with the operators.
 */
public final class ModelRoutes implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LinkedHashMap<String, List<String>> modelsByDataset = new LinkedHashMap<>();
  private final LinkedHashMap<String, String> datasetByModel = new LinkedHashMap<>();

  private ModelRoutes() {}

  /** The routes of every model in {@code catalog}. */
  public static ModelRoutes of(ModelCatalog catalog) {
    ModelRoutes routes = new ModelRoutes();
    for (ModelSpec model : catalog.models()) {
      routes
          .modelsByDataset
          .computeIfAbsent(model.dataset(), d -> new ArrayList<>())
          .add(model.name());
      routes.datasetByModel.put(model.name(), model.dataset());
    }
    return routes;
  }

  /** Models learning from {@code dataset}, in catalog order (empty if none). */
  public List<String> modelsLearning(String dataset) {
    return modelsByDataset.getOrDefault(dataset, List.of());
  }

  /** The dataset {@code model} learns from, or null for an unknown model. */
  public String datasetOf(String model) {
    return datasetByModel.get(model);
  }

  /** Every model, in catalog order. */
  public List<String> models() {
    return List.copyOf(datasetByModel.keySet());
  }

  /** The datasets and their models, for logs. */
  @Override
  public String toString() {
    return Map.copyOf(modelsByDataset).toString();
  }
}
