package io.lethe.learners.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.data.SplitMix64;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The frozen random buffer layer of ACIL (Zhuang et al., NeurIPS 2022, eq. 5): x -> ReLU(x W_B),
 * W_B of shape d_in x d_E drawn uniformly from [-1/sqrt(d_in), 1/sqrt(d_in)], no bias, in float64.
 *
 * <p>W_B is a pure function of (seed, d_in, d_E): entry (i, j) in row-major order is the (i * d_E +
 * j)-th draw u of {@link SplitMix64} seeded with {@code seed}, mapped to (2u - 1) / sqrt(d_in).
 * Snapshots therefore carry the three numbers, not the matrix, and learner and scorer compute the
 * same features with the same code. Deviation from ACIL: ACIL draws W_B with PyTorch's generator
 * and uses a linear buffer on top of a pretrained backbone; Lethe has no backbone.
 */
public final class BufferLayer implements AutoCloseable {
  /**
   * Batches of at least this many rows get their ReLU in place, which spares a second rows x d_E
   * buffer (32 MiB and its page faults for a 2048-row sum batch at d_E 2048) but costs a few
   * milliseconds of masked assignment whatever the size; an erasure's handful of rows is faster
   * with a fresh output.
   */
  static final int IN_PLACE_RELU_ROWS = 256;

  private final long seed;
  private final int inputDim;
  private final int size;
  private final NDArray weights;
  private final BufferPrecision precision;

  private BufferLayer(
      long seed, int inputDim, int size, NDArray weights, BufferPrecision precision) {
    this.seed = seed;
    this.inputDim = inputDim;
    this.size = size;
    this.weights = weights;
    this.precision = precision;
  }

  /** The W_B drawn last, by its three numbers: see {@link #drawn}. */
  private record Drawn(long seed, int inputDim, int size, double[] values) {}

  private static final AtomicReference<Drawn> LAST_DRAWN = new AtomicReference<>();

  /** Builds W_B in float64 in {@code manager}; the layer owns the array until {@link #close()}. */
  public static BufferLayer create(NDManager manager, long seed, int inputDim, int size) {
    return create(manager, seed, inputDim, size, BufferPrecision.FLOAT64);
  }

  /**
   * Builds W_B in {@code manager} in the given precision (float32: each float64 entry rounded to
   * the nearest float32); the layer owns the array until {@link #close()}. The values drawn last
   * are reused: a process that builds layers again and again (e.g. a tool decoding snapshots)
   * builds them with the same three numbers, and drawing W_B is most of that time.
   */
  public static BufferLayer create(
      NDManager manager, long seed, int inputDim, int size, BufferPrecision precision) {
    double[] values = drawn(seed, inputDim, size);
    Shape shape = new Shape(inputDim, size);
    NDArray weights;
    if (precision == BufferPrecision.FLOAT32) {
      float[] single = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        single[i] = (float) values[i];
      }
      weights = manager.create(single, shape);
    } else {
      weights = manager.create(values, shape);
    }
    return new BufferLayer(seed, inputDim, size, weights, precision);
  }

  /** {@link #weightValues}, from the last draw if it had the same numbers; never modified. */
  static double[] drawn(long seed, int inputDim, int size) {
    Drawn last = LAST_DRAWN.get();
    if (last != null && last.seed == seed && last.inputDim == inputDim && last.size == size) {
      return last.values;
    }
    double[] values = weightValues(seed, inputDim, size);
    LAST_DRAWN.set(new Drawn(seed, inputDim, size, values));
    return values;
  }

  /** The entries of W_B, row-major; exposed so tests can pin the generator. */
  public static double[] weightValues(long seed, int inputDim, int size) {
    SplitMix64 random = new SplitMix64(seed);
    double scale = 1.0 / Math.sqrt(inputDim);
    double[] values = new double[Math.multiplyExact(inputDim, size)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (2.0 * random.nextDouble() - 1.0) * scale;
    }
    return values;
  }

  /**
   * Checks that every row has d_in finite values.
   *
   * @throws IllegalArgumentException naming the first bad row (and index)
   */
  public void requireValidRows(float[][] rows) {
    for (int r = 0; r < rows.length; r++) {
      float[] row = rows[r];
      if (row.length != inputDim) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.length + " features, expected " + inputDim);
      }
      for (int c = 0; c < inputDim; c++) {
        if (!Float.isFinite(row[c])) {
          throw new IllegalArgumentException(
              "row " + r + " has a non-finite feature " + row[c] + " at index " + c);
        }
      }
    }
  }

  /**
   * Converts rows of float32 features into a batch (rows x d_in) in {@code manager} of the layer's
   * precision, rejecting wrong lengths and non-finite values with the row's index.
   */
  public NDArray input(NDManager manager, float[][] rows) {
    requireValidRows(rows);
    // float32 to the native side (half the bytes of a double[]), widened there exactly
    float[] flat = new float[Math.multiplyExact(rows.length, inputDim)];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * inputDim, inputDim);
    }
    NDArray single = manager.create(flat, new Shape(rows.length, inputDim));
    if (precision == BufferPrecision.FLOAT32) {
      return single;
    }
    try (single) {
      return single.toType(DataType.FLOAT64, false);
    }
  }

  /**
   * ReLU(x W_B) for a batch x (rows x d_in) of the layer's precision, in that precision; the result
   * lives in x's manager.
   */
  public NDArray features(NDArray x) {
    if (x.getDataType() != precision.dataType() || x.getShape().get(1) != inputDim) {
      throw new IllegalArgumentException(
          "expected a " + precision.dataType() + " batch with " + inputDim + " columns, got " + x);
    }
    NDArray projected = x.matMul(weights);
    if (x.getShape().get(0) < IN_PLACE_RELU_ROWS) {
      try (projected) {
        return projected.maximum(0.0);
      }
    }
    try (NDArray negative = projected.lt(0.0)) {
      projected.set(negative, 0.0); // ReLU in place: no second rows x d_E buffer
    }
    return projected;
  }

  /** Seed of W_B. */
  public long seed() {
    return seed;
  }

  /** d_in. */
  public int inputDim() {
    return inputDim;
  }

  /** d_E. */
  public int size() {
    return size;
  }

  /** The precision W_B is held and multiplied in. */
  public BufferPrecision precision() {
    return precision;
  }

  @Override
  public void close() {
    weights.close();
  }
}
