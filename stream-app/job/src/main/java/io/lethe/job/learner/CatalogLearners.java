package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.records.LearnerKind;
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
   * The analytic learner settings the job derives for {@code model} of {@code catalog}, for
   * programs that compare with the job's model (an offline retrain) instead of rebuilding them.
   *
   * @throws IllegalArgumentException if the model is not an analytic model of the catalog
   */
  public static AnalyticSettings analyticSettings(ModelCatalog catalog, String model) {
    ModelSpec spec =
        catalog
            .model(model)
            .orElseThrow(() -> new IllegalArgumentException("no model '" + model + "' in catalog"));
    if (spec.learner() != LearnerKind.ANALYTIC) {
      throw new IllegalArgumentException("model '" + model + "' is not an analytic model");
    }
    return AnalyticModelLearner.settings(spec, catalog.dataset(spec.dataset()).orElseThrow());
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
