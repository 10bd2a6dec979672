package io.lethe.learners.analytic;

import ai.djl.ndarray.types.DataType;

/**
 * The data type a scorer computes the buffer layer ReLU(x W_B) in. The learner always learns and
 * predicts in float64; a model service may score in float32, which streams half the bytes of W_B
 * per product and runs the GEMM about twice as fast, at the cost of scores that differ from the
 * learner's in the low digits (see {@link #FLOAT32}). The head W stays float64 either way.
 */
public enum BufferPrecision {
  /** As the learner: bit-identical scores for the same batch. */
  FLOAT64(DataType.FLOAT64),

  /**
   * W_B rounded to float32 and x W_B computed in float32 (inputs are float32 already), widened to
   * float64 before the head. On Fashion-MNIST's 10,000 test images at d_E 2048 the predicted labels
   * equal the learner's and every score is within {@link #FLOAT32_SCORE_TOLERANCE} of it ({@code
   * BufferPrecisionTest}).
   */
  FLOAT32(DataType.FLOAT32);

  /**
   * Largest absolute difference from the float64 scores allowed for {@link #FLOAT32} scores in the
   * tests (ridge outputs are of order 1; the measured difference is far below it).
   */
  public static final double FLOAT32_SCORE_TOLERANCE = 1e-4;

  private final DataType dataType;

  BufferPrecision(DataType dataType) {
    this.dataType = dataType;
  }

  /** The DJL data type of W_B and of the batch it multiplies. */
  public DataType dataType() {
    return dataType;
  }
}
