package io.lethe.learners.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * The Gram matrix H^T H of a batch, computed from its upper block triangle only.
 *
 * <p>H^T H is symmetric, so multiplying out all of it does almost twice the work needed. PyTorch
 * has no SYRK, so the columns of H are cut into {@code blocks} equal strips H_1..H_k; block row i
 * is one GEMM, H_i^T [H_i .. H_k], and the blocks below the diagonal are the transposes of blocks
 * already computed. With k strips the products cost (k + 1) / (2k) of the full GEMM (3/4 for k = 2,
 * 5/8 for k = 4) while each product stays large enough to run near the GEMM peak; the assembly
 * copies d^2 values, which is cheap next to a product over thousands of rows.
 */
public final class SymmetricGram {
  private SymmetricGram() {}

  /**
   * Blocks to use for a d x d Gram matrix: strips of at least 512 columns, at most 4 strips.
   * Measured by {@code AnalyticLearnBenchmark} (see docs/benchmarks.md).
   */
  public static int blocksFor(long d) {
    return (int) Math.max(1, Math.min(4, d / 512));
  }

  /** H^T H (d x d, in h's manager) for a batch h of shape n x d, with {@link #blocksFor} strips. */
  public static NDArray of(NDArray h) {
    return of(h, blocksFor(h.getShape().get(1)));
  }

  /**
   * H^T H (d x d, in h's manager) for a batch h of shape n x d, from {@code blocks} column strips
   * (as equal as d allows; the last takes the remainder). The result is exactly symmetric, bit for
   * bit: each diagonal block is averaged with its transpose ((a + b) / 2 equals (b + a) / 2 in
   * floating point) and each block below the diagonal is the transpose of the one above. Sums of
   * such matrices stay exactly symmetric, so a Gram sum can be stored as its upper triangle.
   */
  public static NDArray of(NDArray h, int blocks) {
    long d = h.getShape().get(1);
    if (blocks < 1 || blocks > d) {
      throw new IllegalArgumentException("blocks must be in [1, " + d + "], got " + blocks);
    }
    long[] start = new long[blocks + 1];
    for (int i = 0; i <= blocks; i++) {
      start[i] = d * i / blocks;
    }
    // right[i] = H_i^T [H_(i+1) .. H_k]: block row i to the right of the diagonal
    NDArray[] right = new NDArray[blocks];
    NDList rows = new NDList(blocks);
    for (int i = 0; i < blocks; i++) {
      NDArray strip = blocks == 1 ? h : h.get(new NDIndex(":, {}:{}", start[i], start[i + 1]));
      NDArray stripT = strip.transpose();
      NDArray diagonal = stripT.matMul(strip);
      NDList row = new NDList(blocks);
      for (int j = 0; j < i; j++) {
        // block (i, j) = block (j, i)^T, which sits in right[j] at columns start[i]-start[j+1] on
        long from = start[i] - start[j + 1];
        long to = start[i + 1] - start[j + 1];
        row.add(right[j].get(new NDIndex(":, {}:{}", from, to)).transpose());
      }
      row.add(diagonal.add(diagonal.transpose()).muli(0.5));
      if (i + 1 < blocks) {
        right[i] = stripT.matMul(h.get(new NDIndex(":, {}:", start[i + 1])));
        row.add(right[i]);
      }
      rows.add(row.size() == 1 ? row.get(0) : NDArrays.concat(row, 1));
    }
    return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
  }
}
