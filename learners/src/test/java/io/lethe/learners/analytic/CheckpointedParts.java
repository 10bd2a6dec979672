package io.lethe.learners.analytic;

import java.util.HashMap;
import java.util.Map;

/**
 * What Flink's map state holds after applying a learner's exports ({@link
 * AnalyticLearner#drainChangedState}) in turn: a part mapped to {@code null} is removed.
 */
public final class CheckpointedParts {
  private final Map<String, byte[]> parts = new HashMap<>();

  /** Applies one export and returns it. */
  public Map<String, byte[]> apply(Map<String, byte[]> changed) {
    changed.forEach(
        (key, value) -> {
          if (value == null) {
            parts.remove(key);
          } else {
            parts.put(key, value);
          }
        });
    return changed;
  }

  /** The parts held now, by key (the map itself, not a copy). */
  public Map<String, byte[]> parts() {
    return parts;
  }
}
