package io.lethe.learners.analytic;

/**
 * Settings of one analytic learner: the frozen buffer layer, the ridge strength and the bookkeeping
 * limits, validated once at construction.
 *
 * @param bufferSeed seed of the buffer layer's weights (see {@link BufferLayer})
 * @param inputDim number of input features d_in
 * @param bufferSize width d_E of the buffer layer (the ridge head's input size)
 * @param gamma ridge regularisation gamma in G = gamma I + sum x x^T; must be positive
 * @param maxClasses labels must lie in [0, maxClasses); bounds the head's column count
 * @param woodburyMaxRows largest erasure applied to the solved model in place by a Woodbury
 *     downdate; larger erasures update the sums and re-solve on the next read
 * @param refreshAfterDowndates after this many in-place downdates the model is re-solved from the
 *     sums on the next read, so Woodbury round-off cannot accumulate
 */
public record AnalyticSettings(
    long bufferSeed,
    int inputDim,
    int bufferSize,
    double gamma,
    int maxClasses,
    int woodburyMaxRows,
    int refreshAfterDowndates) {

  /** Default buffer width, Lethe's default (ACIL uses 8192 on CIFAR-100; 2048 suffices here). */
  public static final int DEFAULT_BUFFER_SIZE = 2048;

  /** Default ridge strength (ACIL's reference value; chosen on a validation split in the eval). */
  public static final double DEFAULT_GAMMA = 0.1;

  /** Default label bound. */
  public static final int DEFAULT_MAX_CLASSES = 1000;

  /** Default in-place erasure limit, about where a Woodbury step costs as much as a solve / 8. */
  public static final int DEFAULT_WOODBURY_MAX_ROWS = 256;

  /** Default number of in-place downdates between re-solves from the sums. */
  public static final int DEFAULT_REFRESH_AFTER_DOWNDATES = 32;

  /** Validates every setting; messages name the setting, the value and what is allowed. */
  public AnalyticSettings {
    requirePositive("analytic.input_dim", inputDim);
    requirePositive("analytic.buffer_size", bufferSize);
    requirePositive("analytic.max_classes", maxClasses);
    requirePositive("analytic.woodbury_max_rows", woodburyMaxRows);
    requirePositive("analytic.refresh_after_downdates", refreshAfterDowndates);
    if (!(gamma > 0) || !Double.isFinite(gamma)) {
      throw new IllegalArgumentException(
          "analytic.gamma is " + gamma + ", expected a finite number > 0");
    }
  }

  /** Default settings for inputs of {@code inputDim} features and the given seed. */
  public static AnalyticSettings defaults(long bufferSeed, int inputDim) {
    return new AnalyticSettings(
        bufferSeed,
        inputDim,
        DEFAULT_BUFFER_SIZE,
        DEFAULT_GAMMA,
        DEFAULT_MAX_CLASSES,
        DEFAULT_WOODBURY_MAX_ROWS,
        DEFAULT_REFRESH_AFTER_DOWNDATES);
  }

  /** A copy with another buffer width. */
  public AnalyticSettings withBufferSize(int size) {
    return new AnalyticSettings(
        bufferSeed, inputDim, size, gamma, maxClasses, woodburyMaxRows, refreshAfterDowndates);
  }

  /** A copy with another ridge strength. */
  public AnalyticSettings withGamma(double value) {
    return new AnalyticSettings(
        bufferSeed,
        inputDim,
        bufferSize,
        value,
        maxClasses,
        woodburyMaxRows,
        refreshAfterDowndates);
  }

  /** A copy with other limits for in-place (Woodbury) erasure. */
  public AnalyticSettings withWoodbury(int maxRows, int refreshAfter) {
    return new AnalyticSettings(
        bufferSeed, inputDim, bufferSize, gamma, maxClasses, maxRows, refreshAfter);
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " is " + value + ", expected an integer > 0");
    }
  }
}
