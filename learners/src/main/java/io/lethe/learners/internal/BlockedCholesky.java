package io.lethe.learners.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A = L L^T for a large symmetric positive-definite float64 matrix, and solves A X = B with it: a
 * right-looking blocked Cholesky whose O(n^3) work is PyTorch GEMMs.
 *
 * <p>DJL 0.36 exposes no Cholesky and no triangular solve, only {@code inverse()} (LU with
 * pivoting, about 2 n^3 flops for the inverse). The ridge head needs A^-1 C for a handful of
 * columns, which a Cholesky factor gives for n^3 / 3. The diagonal blocks ({@value #BLOCK} wide)
 * are factored and inverted on the JVM ({@link Cholesky}); for each block column the panel below is
 * L_ik = A_ik L_kk^-T (one GEMM) and the trailing matrix is downdated block column by block column,
 * lower triangle only (A_ij -= L_ik L_jk^T). The factor keeps the panels and the inverted diagonal
 * blocks, so a solve is two block substitutions of small GEMMs.
 *
 * <p>Solving with the explicitly inverted diagonal blocks instead of triangular solves costs an
 * error of the order of cond(L_kk) times the unit round-off per block, well inside what the
 * learner's one step of iterative refinement removes.
 */
public final class BlockedCholesky implements AutoCloseable {
  /** Width of the diagonal blocks: large enough for the GEMMs, small enough for the JVM. */
  static final int BLOCK = 256;

  private final long n;
  private final long[] start;
  private final List<NDArray> inverseDiagonal; // L_kk^-1
  private final List<NDArray> panels; // L rows below block k, columns of block k; null for the last

  private BlockedCholesky(
      long n, long[] start, List<NDArray> inverseDiagonal, List<NDArray> panels) {
    this.n = n;
    this.start = start;
    this.inverseDiagonal = inverseDiagonal;
    this.panels = panels;
  }

  /**
   * Factors {@code a} (n x n, float64; only its lower block triangle is read). The factor's arrays
   * live in a's manager.
   *
   * @throws Cholesky.NotPositiveDefiniteException if a is not (numerically) positive definite
   */
  public static BlockedCholesky factor(NDArray a) {
    return factor(a, BLOCK);
  }

  /**
   * As {@link #factor(NDArray)} with diagonal blocks {@code blockWidth} wide (for benchmarks that
   * compare widths).
   */
  public static BlockedCholesky factor(NDArray a, int blockWidth) {
    if (blockWidth <= 0) {
      throw new IllegalArgumentException("block width must be > 0, was " + blockWidth);
    }
    Shape shape = a.getShape();
    if (shape.dimension() != 2
        || shape.get(0) != shape.get(1)
        || a.getDataType() != DataType.FLOAT64) {
      throw new IllegalArgumentException("expected a square float64 matrix, got " + a);
    }
    long n = shape.get(0);
    int blocks = (int) ((n + blockWidth - 1) / blockWidth);
    long[] start = new long[blocks + 1];
    for (int k = 0; k <= blocks; k++) {
      start[k] = Math.min(n, (long) k * blockWidth);
    }
    NDManager manager = a.getManager();
    List<NDArray> inverseDiagonal = new ArrayList<>(blocks);
    List<NDArray> panels = new ArrayList<>(blocks);
    try (NDArray work = a.duplicate()) {
      for (int k = 0; k < blocks; k++) {
        long from = start[k];
        long to = start[k + 1];
        int width = (int) (to - from);
        Cholesky diagonal;
        try (NDArray block = work.get(new NDIndex("{}:{}, {}:{}", from, to, from, to))) {
          diagonal = Cholesky.factor(block.toDoubleArray(), width);
        } catch (Cholesky.NotPositiveDefiniteException e) {
          throw new Cholesky.NotPositiveDefiniteException((int) from + e.column(), e.pivot());
        }
        NDArray inverse = manager.create(diagonal.lowerInverse(), new Shape(width, width));
        inverseDiagonal.add(inverse);
        if (to == n) {
          panels.add(null);
          continue;
        }
        NDArray panel;
        try (NDArray below = work.get(new NDIndex("{}:, {}:{}", to, from, to));
            NDArray inverseT = inverse.transpose()) {
          panel = below.matMul(inverseT); // L_ik = A_ik L_kk^-T
        }
        panels.add(panel);
        // trailing lower block triangle: A_ij -= L_ik L_jk^T for i >= j > k
        for (int j = k + 1; j < blocks; j++) {
          try (NDArray rows = panel.get(new NDIndex("{}:, :", start[j] - to));
              NDArray columns =
                  panel.get(new NDIndex("{}:{}, :", start[j] - to, start[j + 1] - to));
              NDArray columnsT = columns.transpose();
              NDArray update = rows.matMul(columnsT);
              NDArray target =
                  work.get(new NDIndex("{}:, {}:{}", start[j], start[j], start[j + 1]))) {
            target.subi(update);
          }
        }
      }
      return new BlockedCholesky(n, start, inverseDiagonal, panels);
    } catch (RuntimeException e) {
      inverseDiagonal.forEach(NDArray::close);
      panels.stream().filter(p -> p != null).forEach(NDArray::close);
      throw e;
    }
  }

  /** Size n of the factored matrix. */
  public long size() {
    return n;
  }

  /** X = A^-1 B for B of shape n x r (float64); X lives in b's manager. */
  public NDArray solve(NDArray b) {
    if (b.getShape().dimension() != 2 || b.getShape().get(0) != n) {
      throw new IllegalArgumentException("expected " + n + " rows, got " + b.getShape());
    }
    NDArray x = b.duplicate();
    int blocks = inverseDiagonal.size();
    // forward substitution L y = b, block by block: y_k = L_kk^-1 b_k, then b_i -= L_ik y_k
    for (int k = 0; k < blocks; k++) {
      NDIndex rows = new NDIndex("{}:{}, :", start[k], start[k + 1]);
      try (NDArray current = x.get(rows);
          NDArray solved = inverseDiagonal.get(k).matMul(current)) {
        x.set(rows, solved);
        if (panels.get(k) != null) {
          try (NDArray update = panels.get(k).matMul(solved);
              NDArray rest = x.get(new NDIndex("{}:, :", start[k + 1]))) {
            rest.subi(update);
          }
        }
      }
    }
    // back substitution L^T x = y: x_k = L_kk^-T (y_k - L_(>k)k^T x_(>k))
    for (int k = blocks - 1; k >= 0; k--) {
      NDIndex rows = new NDIndex("{}:{}, :", start[k], start[k + 1]);
      if (panels.get(k) != null) {
        try (NDArray panelT = panels.get(k).transpose();
            NDArray rest = x.get(new NDIndex("{}:, :", start[k + 1]));
            NDArray update = panelT.matMul(rest);
            NDArray current = x.get(rows)) {
          current.subi(update);
        }
      }
      try (NDArray current = x.get(rows);
          NDArray inverseT = inverseDiagonal.get(k).transpose();
          NDArray solved = inverseT.matMul(current)) {
        x.set(rows, solved);
      }
    }
    return x;
  }

  /** The factor's arrays (inverted diagonal blocks, then panels), e.g. for a state digest. */
  public List<NDArray> arrays() {
    List<NDArray> arrays = new ArrayList<>(inverseDiagonal);
    panels.stream().filter(p -> p != null).forEach(arrays::add);
    return arrays;
  }

  /** Moves the factor's arrays to {@code owner}. */
  public void attach(NDManager owner) {
    arrays().forEach(array -> array.attach(owner));
  }

  @Override
  public void close() {
    arrays().forEach(NDArray::close);
  }
}
