package io.lethe.evaluation;

import java.util.List;

/**
 * The continual-learning accuracy matrix of Lopez-Paz and Ranzato (GEM, 2017): entry (i, j) is the
 * test accuracy on task j after learning tasks 0..i of the stream.
 *
 * @param tasks task ids in stream order
 * @param accuracy rows by "after learning task i", columns by "tested on task j", in [0, 1]
 */
record AccuracyMatrix(List<String> tasks, List<List<Double>> accuracy) {

  /** Checks that the matrix is square in the number of tasks; copies. */
  public AccuracyMatrix {
    tasks = List.copyOf(tasks);
    accuracy = accuracy.stream().map(List::copyOf).toList();
    int n = tasks.size();
    if (accuracy.size() != n || accuracy.stream().anyMatch(row -> row.size() != n)) {
      throw new IllegalArgumentException("accuracy matrix must be " + n + " x " + n);
    }
  }

  /** Accuracy on task j after learning task i. */
  public double get(int i, int j) {
    return accuracy.get(i).get(j);
  }

  /** Average accuracy over all tasks after the last task: (1/T) sum_j A[T-1][j]. */
  public double averageAccuracy() {
    int last = tasks.size() - 1;
    double sum = 0;
    for (int j = 0; j <= last; j++) {
      sum += get(last, j);
    }
    return sum / tasks.size();
  }

  /** Backward transfer (GEM eq. 4): (1/(T-1)) sum_{j<T-1} (A[T-1][j] - A[j][j]); 0 for one task. */
  public double backwardTransfer() {
    int last = tasks.size() - 1;
    if (last == 0) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < last; j++) {
      sum += get(last, j) - get(j, j);
    }
    return sum / last;
  }

  /**
   * Average forgetting (Chaudhry et al. 2018): (1/(T-1)) sum_{j<T-1} (max_{i<T-1} A[i][j] -
   * A[T-1][j]); 0 for one task.
   */
  public double forgetting() {
    int last = tasks.size() - 1;
    if (last == 0) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < last; j++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int i = j; i < last; i++) {
        best = Math.max(best, get(i, j));
      }
      sum += best - get(last, j);
    }
    return sum / last;
  }
}
