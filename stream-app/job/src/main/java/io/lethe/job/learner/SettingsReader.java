package io.lethe.job.learner;

import io.lethe.catalog.ModelSpec;
import java.util.function.Supplier;

/**
 * Builds a catalog model's learner settings so that every error names the model: the values were
 * read against the learner's declarations ({@link ModelSpec#learnerValues()}), and the settings
 * record checks them once more together.
 */
final class SettingsReader {
  private SettingsReader() {}

  /** Builds the learner's settings record, naming the model in its validation errors. */
  static <T> T build(ModelSpec model, Supplier<T> settings) {
    try {
      return settings.get();
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("model '")) {
        throw e;
      }
      throw new IllegalArgumentException("model '" + model.name() + "': " + e.getMessage(), e);
    }
  }
}
