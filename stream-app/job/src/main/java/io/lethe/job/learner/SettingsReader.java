package io.lethe.job.learner;

import io.lethe.catalog.ModelSpec;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Reads a catalog model's learner settings with errors that name the model and key, rejecting keys
 * the learner does not know (a typo must not silently fall back to a default).
 */
final class SettingsReader {
  private final ModelSpec model;

  SettingsReader(ModelSpec model, Set<String> allowed) {
    this.model = model;
    for (String key : model.settings().keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            where(key)
                + " is not a setting of the "
                + model.learner()
                + " learner; expected one of "
                + new TreeSet<>(allowed));
      }
    }
  }

  /** Builds the learner's settings record, naming the model in its validation errors. */
  <T> T build(Supplier<T> settings) {
    try {
      return settings.get();
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("model '")) {
        throw e;
      }
      throw new IllegalArgumentException("model '" + model.name() + "': " + e.getMessage(), e);
    }
  }

  int intValue(String key, int fallback) {
    String text = model.settings().get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where(key) + " is '" + text + "', expected an integer");
    }
  }

  long longValue(String key, long fallback) {
    String text = model.settings().get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where(key) + " is '" + text + "', expected an integer");
    }
  }

  double doubleValue(String key, double fallback) {
    String text = model.settings().get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where(key) + " is '" + text + "', expected a number");
    }
  }

  java.util.List<Integer> intList(String key) {
    String text = model.settings().get(key);
    try {
      return java.util.Arrays.stream(text.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(Integer::valueOf)
          .toList();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where(key) + " is '" + text + "', expected integers separated by commas, e.g. 100,100");
    }
  }

  private String where(String key) {
    return "model '" + model.name() + "': settings." + key;
  }
}
