package io.lethe.learners.analytic;

import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import java.util.List;

/**
 * Settings of one analytic learner: the frozen buffer layer, the ridge strength and the bookkeeping
 * limits, validated once at construction against their declarations ({@link #SETTINGS}).
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

  /** Seed of the buffer layer's weights. */
  public static final SettingDef<Long> SEED =
      SettingDef.longInteger("seed", 42L, "seed of the buffer layer's random weights W_B");

  /** Input features d_in; in the catalog, the dataset's {@code features}. */
  public static final SettingDef<Integer> INPUT_DIM =
      SettingDef.integer("input-dim", null, Bounds.atLeast(1), "features per sample d_in")
          .withDefaultText("the dataset's features");

  /** Buffer width d_E. */
  public static final SettingDef<Integer> BUFFER_SIZE =
      SettingDef.integer(
          "buffer-size",
          DEFAULT_BUFFER_SIZE,
          Bounds.atLeast(1),
          "width d_E of the random ReLU buffer layer (the ridge head's input size)");

  /** Ridge strength gamma. */
  public static final SettingDef<Double> GAMMA =
      SettingDef.number(
          "gamma",
          DEFAULT_GAMMA,
          Bounds.above(0),
          "ridge regularisation gamma in G = gamma I + X^T X");

  /** Label bound; in the catalog, the dataset's {@code classes} by default. */
  public static final SettingDef<Integer> MAX_CLASSES =
      SettingDef.integer(
              "max-classes",
              DEFAULT_MAX_CLASSES,
              Bounds.atLeast(1),
              "labels must lie in [0, max-classes); bounds the head's column count")
          .withDefaultText("the dataset's classes");

  /** Largest erasure applied in place by a Woodbury downdate. */
  public static final SettingDef<Integer> WOODBURY_MAX_ROWS =
      SettingDef.integer(
          "woodbury-max-rows",
          DEFAULT_WOODBURY_MAX_ROWS,
          Bounds.atLeast(1),
          "largest erasure (rows) applied in place by a Woodbury downdate; larger ones re-solve");

  /** In-place downdates between re-solves. */
  public static final SettingDef<Integer> REFRESH_AFTER_DOWNDATES =
      SettingDef.integer(
          "refresh-after-downdates",
          DEFAULT_REFRESH_AFTER_DOWNDATES,
          Bounds.atLeast(1),
          "in-place downdates after which the model is re-solved from the sums (bounds round-off)");

  /** Every setting, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          SEED,
          INPUT_DIM,
          BUFFER_SIZE,
          GAMMA,
          MAX_CLASSES,
          WOODBURY_MAX_ROWS,
          REFRESH_AFTER_DOWNDATES);

  /** The settings a catalog model may set ({@link #INPUT_DIM} comes from its dataset). */
  public static final List<SettingDef<?>> CATALOG_SETTINGS =
      List.of(SEED, BUFFER_SIZE, GAMMA, MAX_CLASSES, WOODBURY_MAX_ROWS, REFRESH_AFTER_DOWNDATES);

  /** Prefix of the keys in errors of settings built in code (the catalog names its own path). */
  private static final String WHERE = "analytic.";

  /** Validates every setting; messages name the setting, the value and what is allowed. */
  public AnalyticSettings {
    INPUT_DIM.validate(WHERE, inputDim);
    BUFFER_SIZE.validate(WHERE, bufferSize);
    GAMMA.validate(WHERE, gamma);
    MAX_CLASSES.validate(WHERE, maxClasses);
    WOODBURY_MAX_ROWS.validate(WHERE, woodburyMaxRows);
    REFRESH_AFTER_DOWNDATES.validate(WHERE, refreshAfterDowndates);
  }

  /**
   * Settings from declared values; a setting not given takes its declared default.
   *
   * @throws IllegalArgumentException if {@link #INPUT_DIM} is missing or a value is not allowed
   */
  public static AnalyticSettings from(SettingValues values) {
    return new AnalyticSettings(
        values.get(SEED),
        values.get(INPUT_DIM),
        values.get(BUFFER_SIZE),
        values.get(GAMMA),
        values.get(MAX_CLASSES),
        values.get(WOODBURY_MAX_ROWS),
        values.get(REFRESH_AFTER_DOWNDATES));
  }

  /** Every setting under its declared key (for reports). */
  public SettingValues values() {
    return SettingValues.create()
        .put(SEED, bufferSeed)
        .put(INPUT_DIM, inputDim)
        .put(BUFFER_SIZE, bufferSize)
        .put(GAMMA, gamma)
        .put(MAX_CLASSES, maxClasses)
        .put(WOODBURY_MAX_ROWS, woodburyMaxRows)
        .put(REFRESH_AFTER_DOWNDATES, refreshAfterDowndates);
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
}
