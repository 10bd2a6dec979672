package io.lethe.learners.hypernet;

/** Checks and converts the plain-Java inputs and outputs of the learner and the scorer. */
final class Inputs {

  private Inputs() {}

  static void requireFeatures(String owner, String task, float[][] x, int inputs) {
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException(owner + ": batch for task '" + task + "' is empty");
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null || x[i].length != inputs) {
        throw new IllegalArgumentException(
            owner
                + ": sample "
                + i
                + " of task '"
                + task
                + "' has "
                + (x[i] == null ? "no" : String.valueOf(x[i].length))
                + " features, expected "
                + inputs);
      }
      for (int j = 0; j < inputs; j++) {
        if (!Float.isFinite(x[i][j])) {
          throw new IllegalArgumentException(
              owner
                  + ": sample "
                  + i
                  + " of task '"
                  + task
                  + "' has feature "
                  + j
                  + " = "
                  + x[i][j]
                  + "; features must be finite");
        }
      }
    }
  }

  static void requireLabels(String owner, String task, float[][] x, int[] y, int classes) {
    if (y == null || y.length != x.length) {
      throw new IllegalArgumentException(
          owner
              + ": batch for task '"
              + task
              + "' has "
              + x.length
              + " samples but "
              + (y == null ? 0 : y.length)
              + " labels");
    }
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw new IllegalArgumentException(
            owner
                + ": sample "
                + i
                + " of task '"
                + task
                + "' has label "
                + y[i]
                + ", expected 0.."
                + (classes - 1)
                + " (labels are numbered within each task)");
      }
    }
  }

  static float[][] rows(float[] flat, int count) {
    int width = flat.length / count;
    float[][] out = new float[count][width];
    for (int i = 0; i < count; i++) {
      System.arraycopy(flat, i * width, out[i], 0, width);
    }
    return out;
  }

  static int[] argMax(float[][] scores) {
    int[] out = new int[scores.length];
    for (int i = 0; i < scores.length; i++) {
      int best = 0;
      for (int c = 1; c < scores[i].length; c++) {
        if (scores[i][c] > scores[i][best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }
}
