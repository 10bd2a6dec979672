package io.lethe.serving.console;

import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.snapshot.Scorer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Scores a served version on a held-out labelled set: the fraction of the set's rows, among those
 * whose label is a class the version scores, that it labels right. A task-incremental model scores
 * each row with the task that holds its label (as its callers do); a class-incremental one over all
 * its classes. Rows of classes the version has not learned, or that were erased from it, are left
 * out: the figure is how well it knows what it knows, and the number of rows says how much that is.
 */
final class HeldOutAccuracy {
  private final float[][] features;
  private final int[] labels;

  /** The first {@code maxRows} rows of {@code set}. */
  HeldOutAccuracy(LabeledSet set, int maxRows) {
    int rows = Math.min(set.size(), maxRows);
    this.features = new float[rows][];
    this.labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      features[i] = set.features()[i];
      labels[i] = set.labels()[i];
    }
  }

  int rows() {
    return labels.length;
  }

  int featureCount() {
    return labels.length == 0 ? 0 : features[0].length;
  }

  /** The accuracy and the rows it is over, or null if no row fits the scorer. */
  Result score(Scorer scorer) {
    if (scorer.isEmpty() || scorer.inputDim() != featureCount()) {
      return null;
    }
    int correct = 0;
    int scored = 0;
    List<String> tasks =
        scorer.needsTask() ? scorer.tasks() : java.util.Arrays.asList((String) null);
    for (String task : tasks) {
      Set<Integer> classes = new HashSet<>(scorer.classes(task));
      List<Integer> picked = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        if (classes.contains(labels[i])) {
          picked.add(i);
        }
      }
      if (picked.isEmpty()) {
        continue;
      }
      float[][] rows = new float[picked.size()][];
      for (int k = 0; k < rows.length; k++) {
        rows[k] = features[picked.get(k)];
      }
      int[] predicted = scorer.predict(task, rows).stream().mapToInt(p -> p.label()).toArray();
      for (int k = 0; k < rows.length; k++) {
        if (predicted[k] == labels[picked.get(k)]) {
          correct++;
        }
      }
      scored += rows.length;
    }
    return scored == 0 ? null : new Result((double) correct / scored, scored);
  }

  /** An accuracy over {@code rows} rows. */
  record Result(double accuracy, int rows) {}
}
