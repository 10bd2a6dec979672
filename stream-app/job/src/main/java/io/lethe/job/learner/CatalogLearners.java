package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import java.util.Map;

/** Creates each catalog model's learner by its learner kind. */
public final class CatalogLearners implements LearnerFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public ModelLearner create(ModelSpec model, DatasetSpec dataset, Map<String, byte[]> restored) {
    return switch (model.learner()) {
      case ANALYTIC -> AnalyticModelLearner.create(model, dataset, restored);
      case HYPERNETWORK -> HypernetModelLearner.create(model, dataset, restored);
    };
  }

  /**
   * Checks every model's learner settings without creating a learner, so a bad catalog fails at
   * start-up.
   *
   * @throws IllegalArgumentException naming the model and key
   */
  public static void validate(ModelCatalog catalog) {
    for (ModelSpec model : catalog.models()) {
      DatasetSpec dataset = catalog.dataset(model.dataset()).orElseThrow();
      switch (model.learner()) {
        case ANALYTIC -> AnalyticModelLearner.settings(model, dataset);
        case HYPERNETWORK -> HypernetModelLearner.settings(model, dataset);
      }
    }
  }
}
