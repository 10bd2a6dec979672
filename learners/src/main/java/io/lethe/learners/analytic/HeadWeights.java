package io.lethe.learners.analytic;

import java.util.List;

/**
 * A copy of the ridge head W = G^-1 C, restricted to the classes that have retained samples.
 *
 * @param classes class label of each column, in column order
 * @param rows d_E
 * @param values row-major rows x classes.size() values
 */
public record HeadWeights(List<Integer> classes, int rows, double[] values) {

  /** Checks the sizes; the class list is copied. */
  public HeadWeights {
    classes = List.copyOf(classes);
    if (values.length != rows * classes.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + rows + " rows x " + classes.size() + " classes");
    }
  }

  /** The weight at (row, column of {@code label}). */
  public double get(int row, int label) {
    int column = classes.indexOf(label);
    if (column < 0) {
      throw new IllegalArgumentException("class " + label + " is not in " + classes);
    }
    return values[row * classes.size() + column];
  }

  /** Largest absolute weight. */
  public double maxAbs() {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /**
   * Lethe's exactness measure: max |this - reference| / max |reference|, with columns matched by
   * class label; infinite if the two heads do not predict the same classes.
   */
  public double maxRelativeDifference(HeadWeights reference) {
    if (rows != reference.rows || !classes.equals(reference.classes)) {
      return Double.POSITIVE_INFINITY;
    }
    double maxDiff = 0;
    for (int i = 0; i < values.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(values[i] - reference.values[i]));
    }
    double scale = reference.maxAbs();
    return scale == 0 ? maxDiff : maxDiff / scale;
  }
}
