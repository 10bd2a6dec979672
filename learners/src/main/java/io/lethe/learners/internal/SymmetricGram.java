package io.lethe.learners.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The Gram matrix H^T H of a batch, computed from its upper block triangle only.
 *
 * <p>H^T H is symmetric, so multiplying out all of it does almost twice the work needed. PyTorch
 * has no SYRK, so the columns of H are cut into {@code blocks} equal strips H_1..H_k; block row i
 * is one GEMM, H_i^T [H_i .. H_k], and the blocks below the diagonal are the transposes of blocks
 * already computed. With k strips the products cost (k + 1) / (2k) of the full GEMM (3/4 for k = 2,
 * 5/8 for k = 4) while each product stays large enough to run near the GEMM peak. The products are
 * added into the sums in place ({@link #addTo}), which costs a pass over d^2 values, cheap next to
 * a product over thousands of rows.
 */
public final class SymmetricGram {
  private SymmetricGram() {}

  /**
   * Blocks to use for a d x d Gram matrix: strips of at least 512 columns, at most 4 strips.
   * Narrower strips save flops but run further below the GEMM peak; the choice was measured with
   * {@code GemmPeakBenchmark} and {@code AnalyticLearnBenchmark}
   * (docs/benchmarks.md#settings-chosen-by-measurement).
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
   * bit: see {@link #addTo}.
   */
  public static NDArray of(NDArray h, int blocks) {
    long d = h.getShape().get(1);
    NDArray gram = h.getManager().zeros(new Shape(d, d), DataType.FLOAT64);
    accumulate(gram, h, blocks, false);
    return gram;
  }

  /**
   * gram += H^T H in place, for a batch h of shape n x d and an exactly symmetric d x d float64
   * gram, with {@link #blocksFor} strips. Each product is added where it belongs, a block above the
   * diagonal and its transpose below, so no d x d temporary is allocated: at d_E 2048 a fresh 32
   * MiB buffer costs tens of milliseconds of page faults, a sizeable share of the product itself.
   * The gram stays exactly symmetric: each diagonal block is averaged with its transpose ((a + b) /
   * 2 equals (b + a) / 2 in floating point) and an entry below the diagonal receives the same
   * addend as its mirror above. Sums of such matrices can therefore be stored as their upper
   * triangle.
   */
  public static void addTo(NDArray gram, NDArray h) {
    accumulate(gram, h, blocksFor(h.getShape().get(1)), false);
  }

  /** gram -= H^T H in place; the counterpart of {@link #addTo}, with the same symmetry. */
  public static void subtractFrom(NDArray gram, NDArray h) {
    accumulate(gram, h, blocksFor(h.getShape().get(1)), true);
  }

  private static void accumulate(NDArray gram, NDArray h, int blocks, boolean subtract) {
    long d = h.getShape().get(1);
    if (blocks < 1 || blocks > d) {
      throw new IllegalArgumentException("blocks must be in [1, " + d + "], got " + blocks);
    }
    if (!gram.getShape().equals(new Shape(d, d)) || gram.getDataType() != DataType.FLOAT64) {
      throw new IllegalArgumentException(
          "expected a " + d + " x " + d + " float64 gram, got " + gram.getShape());
    }
    long[] start = new long[blocks + 1];
    for (int i = 0; i <= blocks; i++) {
      start[i] = d * i / blocks;
    }
    for (int i = 0; i < blocks; i++) {
      long from = start[i];
      long to = start[i + 1];
      // block row i from the diagonal to the right, H_i^T [H_i .. H_k]: one GEMM
      try (NDArray strip = h.get(new NDIndex(":, {}:{}", from, to));
          NDArray stripT = strip.transpose();
          NDArray rest = h.get(new NDIndex(":, {}:", from));
          NDArray product = stripT.matMul(rest);
          NDArray diagonal = product.get(new NDIndex(":, 0:{}", to - from));
          NDArray diagonalT = diagonal.transpose();
          NDArray symmetric = diagonal.add(diagonalT).muli(0.5);
          NDArray target = gram.get(new NDIndex("{}:{}, {}:{}", from, to, from, to))) {
        apply(target, symmetric, subtract);
        if (to < d) {
          try (NDArray right = product.get(new NDIndex(":, {}:", to - from));
              NDArray rightT = right.transpose();
              NDArray above = gram.get(new NDIndex("{}:{}, {}:", from, to, to));
              NDArray below = gram.get(new NDIndex("{}:, {}:{}", to, from, to))) {
            apply(above, right, subtract);
            apply(below, rightT, subtract);
          }
        }
      }
    }
  }

  /** target += or -= values, in place (target is a view into the gram). */
  private static void apply(NDArray target, NDArray values, boolean subtract) {
    if (subtract) {
      target.subi(values);
    } else {
      target.addi(values);
    }
  }
}
