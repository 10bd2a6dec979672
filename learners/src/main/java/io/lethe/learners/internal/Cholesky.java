package io.lethe.learners.internal;

/**
 * A float64 Cholesky factorisation A = L L^T of a small symmetric positive-definite matrix, on the
 * JVM, with solves against it.
 *
 * <p>DJL 0.36 has no {@code cholesky} or {@code solve}. The analytic learner needs one only for the
 * Woodbury capacitance matrix, whose size is the number of samples in one erasure step (at most a
 * few hundred), so plain Java is fast enough; the large d_E x d_E inversions stay on PyTorch. A
 * failed factorisation is reported, not hidden: for a downdate it means the samples to remove are
 * not in the sums (wrong features), so the caller refuses the erasure.
 */
public final class Cholesky {
  private final int n;
  private final double[] lower; // row-major n x n, upper triangle unused

  private Cholesky(int n, double[] lower) {
    this.n = n;
    this.lower = lower;
  }

  /**
   * Factors the symmetric matrix {@code a} (row-major, {@code n x n}, only the lower triangle is
   * read).
   *
   * @throws NotPositiveDefiniteException if a pivot is not strictly positive and finite
   */
  public static Cholesky factor(double[] a, int n) {
    if (a.length != n * n) {
      throw new IllegalArgumentException("matrix has " + a.length + " entries, expected " + n * n);
    }
    double[] l = new double[n * n];
    for (int j = 0; j < n; j++) {
      double diagonal = a[j * n + j];
      for (int k = 0; k < j; k++) {
        diagonal -= l[j * n + k] * l[j * n + k];
      }
      if (!(diagonal > 0) || !Double.isFinite(diagonal)) {
        throw new NotPositiveDefiniteException(j, diagonal);
      }
      double pivot = Math.sqrt(diagonal);
      l[j * n + j] = pivot;
      for (int i = j + 1; i < n; i++) {
        double sum = a[i * n + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * n + k] * l[j * n + k];
        }
        l[i * n + j] = sum / pivot;
      }
    }
    return new Cholesky(n, l);
  }

  /** Size of the factored matrix. */
  public int size() {
    return n;
  }

  /**
   * Solves A X = B for {@code b} given row-major with {@code n} rows and {@code columns} columns;
   * returns X in the same layout.
   */
  public double[] solve(double[] b, int columns) {
    if (b.length != n * columns) {
      throw new IllegalArgumentException(
          "right-hand side has " + b.length + " entries, expected " + n * columns);
    }
    double[] x = b.clone();
    for (int c = 0; c < columns; c++) {
      // forward substitution L y = b
      for (int i = 0; i < n; i++) {
        double sum = x[i * columns + c];
        for (int k = 0; k < i; k++) {
          sum -= lower[i * n + k] * x[k * columns + c];
        }
        x[i * columns + c] = sum / lower[i * n + i];
      }
      // back substitution L^T x = y
      for (int i = n - 1; i >= 0; i--) {
        double sum = x[i * columns + c];
        for (int k = i + 1; k < n; k++) {
          sum -= lower[k * n + i] * x[k * columns + c];
        }
        x[i * columns + c] = sum / lower[i * n + i];
      }
    }
    return x;
  }

  /**
   * L^-1 (row-major n x n, lower triangular). Row i follows from L X = I: X_ij = -(sum_{j <= k < i}
   * L_ik X_kj) / L_ii for j < i, accumulated row by row of X so that the inner loop runs over
   * contiguous memory.
   */
  public double[] lowerInverse() {
    double[] inverse = new double[n * n];
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(row, 0, i, 0.0);
      for (int k = 0; k < i; k++) {
        double coefficient = lower[i * n + k];
        if (coefficient != 0.0) {
          int base = k * n;
          for (int j = 0; j <= k; j++) {
            row[j] += coefficient * inverse[base + j];
          }
        }
      }
      double pivot = lower[i * n + i];
      for (int j = 0; j < i; j++) {
        inverse[i * n + j] = -row[j] / pivot;
      }
      inverse[i * n + i] = 1.0 / pivot;
    }
    return inverse;
  }

  /** Returns A^-1 (row-major n x n). */
  public double[] inverse() {
    double[] identity = new double[n * n];
    for (int i = 0; i < n; i++) {
      identity[i * n + i] = 1.0;
    }
    return solve(identity, n);
  }

  /** Thrown when a matrix given to {@link #factor} is not (numerically) positive definite. */
  public static final class NotPositiveDefiniteException extends ArithmeticException {
    private final int column;
    private final double pivot;

    NotPositiveDefiniteException(int column, double pivot) {
      super("matrix is not positive definite: pivot " + pivot + " at column " + column);
      this.column = column;
      this.pivot = pivot;
    }

    /** The pivot that was not strictly positive and finite. */
    public double pivot() {
      return pivot;
    }

    /** Column at which the factorisation failed. */
    public int column() {
      return column;
    }
  }
}
