package io.lethe.learners.analytic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a snapshot of an analytic model holds, taken from a learner at one moment.
 *
 * @param settings the learner's settings (seed and sizes of the buffer layer, gamma)
 * @param weights the solved head for the classes with retained samples
 * @param samplesPerTask retained samples per task, in the order tasks were first learned
 * @param erasedTasks tasks erased so far
 */
record AnalyticModel(
    AnalyticSettings settings,
    HeadWeights weights,
    Map<String, Long> samplesPerTask,
    List<String> erasedTasks) {

  /** Copies the collections, keeping the task order. */
  public AnalyticModel {
    samplesPerTask = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(samplesPerTask));
    erasedTasks = List.copyOf(erasedTasks);
    if (weights.rows() != settings.bufferSize()) {
      throw new IllegalArgumentException(
          "head has " + weights.rows() + " rows, buffer size is " + settings.bufferSize());
    }
  }
}
