package io.lethe.serving.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per model, the console's time series: a ring buffer of samples (version, snapshot age, samples
 * learned) for the freshness and ingest charts, and the accuracy of each version scored on the
 * evaluation set. Bounded: {@code points} samples and as many accuracies per model, and at most
 * {@link #MAX_MODELS} models. Thread safe.
 */
final class ModelHistory {
  /** Most models tracked: a catalog has a handful. */
  static final int MAX_MODELS = 256;

  /** One sample; {@code samplesLearned} is -1 before the learner's first heartbeat. */
  record Point(long at, long version, double snapshotAgeSeconds, long samplesLearned) {}

  /**
   * The accuracy of one version on {@code rows} held-out rows of the classes it scores; null when
   * no row fits it.
   */
  record Accuracy(long version, Double accuracy, int rows, long evaluatedAt) {}

  private final int points;
  private final Map<String, Deque<Point>> samples = new HashMap<>();
  private final Map<String, Deque<Accuracy>> accuracies = new HashMap<>();

  ModelHistory(int points) {
    this.points = points;
  }

  synchronized void sample(String model, Point point) {
    append(samples, model, point);
  }

  synchronized void accuracy(String model, Accuracy accuracy) {
    append(accuracies, model, accuracy);
  }

  /** The newest version of {@code model} whose accuracy is known, or -1. */
  synchronized long lastEvaluated(String model) {
    Deque<Accuracy> known = accuracies.get(model);
    return known == null || known.isEmpty() ? -1 : known.peekLast().version();
  }

  private <T> void append(Map<String, Deque<T>> series, String model, T item) {
    if (!series.containsKey(model) && series.size() >= MAX_MODELS) {
      return;
    }
    Deque<T> deque = series.computeIfAbsent(model, m -> new ArrayDeque<>());
    deque.addLast(item);
    while (deque.size() > points) {
      deque.removeFirst();
    }
  }

  /** {@code model}'s series as JSON-ready maps: {@code samples} and {@code accuracy}. */
  synchronized Map<String, Object> describe(String model) {
    List<Map<String, Object>> sampleRows = new ArrayList<>();
    for (Point p : samples.getOrDefault(model, new ArrayDeque<>())) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("at", p.at());
      row.put("version", p.version());
      row.put("snapshot_age_seconds", p.snapshotAgeSeconds());
      row.put("samples_learned", p.samplesLearned() < 0 ? null : p.samplesLearned());
      sampleRows.add(row);
    }
    List<Map<String, Object>> accuracyRows = new ArrayList<>();
    for (Accuracy a : accuracies.getOrDefault(model, new ArrayDeque<>())) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("version", a.version());
      row.put("accuracy", a.accuracy());
      row.put("rows", a.rows());
      row.put("evaluated_at", a.evaluatedAt());
      accuracyRows.add(row);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("samples", sampleRows);
    out.put("accuracy", accuracyRows);
    return out;
  }
}
