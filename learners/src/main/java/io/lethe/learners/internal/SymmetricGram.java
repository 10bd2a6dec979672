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
   * H^T H (d x d, in h's manager) for a batch h of shape n x d, from {@code blocks} column strips.
   * With one block it is the plain product. Strips are as equal as d allows (the last one takes the
   * remainder).
   */
  public static NDArray of(NDArray h, int blocks) {
    long d = h.getShape().get(1);
    if (blocks < 1 || blocks > d) {
      throw new IllegalArgumentException("blocks must be in [1, " + d + "], got " + blocks);
    }
    if (blocks == 1) {
      return h.transpose().matMul(h);
    }
    long[] start = new long[blocks + 1];
    for (int i = 0; i <= blocks; i++) {
      start[i] = d * i / blocks;
    }
    // upper[i] = H_i^T [H_i .. H_k]: rows of block row i from the diagonal block rightwards
    NDArray[] upper = new NDArray[blocks];
    NDList rows = new NDList(blocks);
    for (int i = 0; i < blocks; i++) {
      NDArray strip = h.get(new NDIndex(":, {}:{}", start[i], start[i + 1]));
      NDArray right = h.get(new NDIndex(":, {}:", start[i]));
      upper[i] = strip.transpose().matMul(right);
      NDList row = new NDList(blocks);
      for (int j = 0; j < i; j++) {
        // block (i, j) = block (j, i)^T, which sits in upper[j] at columns start[i]-start[j] on
        long from = start[i] - start[j];
        long to = start[i + 1] - start[j];
        row.add(upper[j].get(new NDIndex(":, {}:{}", from, to)).transpose());
      }
      row.add(upper[i]);
      rows.add(row.size() == 1 ? upper[i] : NDArrays.concat(row, 1));
    }
    return NDArrays.concat(rows, 0);
  }
}
