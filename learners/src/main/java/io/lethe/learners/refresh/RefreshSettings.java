package io.lethe.learners.refresh;

import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import java.util.List;

/**
 * Validated settings of refresh learning (Wang et al., "A Unified and General Framework for
 * Continual Learning", ICLR 2024: the unlearn step before each relearn step).
 *
 * <p>The unlearn step changes each tensor theta by {@code unlearnRate * (u + noiseScale * xi) / (1
 * + fisherDamping * F)}, where u is the batch-loss gradient rescaled to the norm of theta, xi is
 * standard Gaussian noise and F the diagonal Fisher of the last finished task, kept as {@code F =
 * fisherDecay * F_old + F_new}.
 *
 * @param enabled whether the unlearn step runs at all; off by default because it has not been shown
 *     to help here (see learners/HYPERNET.md)
 * @param interval run the unlearn step before every {@code interval}-th normal step (1 = every
 *     step)
 * @param unlearnRate size of the ascent step relative to each tensor's norm
 * @param noiseScale standard deviation of the Gaussian noise, relative to the rescaled gradient
 * @param fisherDamping the constant c in the elementwise damping 1 / (1 + c F)
 * @param fisherDecay weight of the previous Fisher when a new task's Fisher is added
 * @param fisherBatchSize samples per mini-batch gradient when the Fisher is estimated
 */
public record RefreshSettings(
    boolean enabled,
    int interval,
    double unlearnRate,
    double noiseScale,
    double fisherDamping,
    double fisherDecay,
    int fisherBatchSize) {

  /** Whether the unlearn step runs. */
  public static final SettingDef<Boolean> ENABLED =
      SettingDef.flag(
          "refresh",
          false,
          "refresh learning's unlearn step before the normal steps (Wang et al. 2024); off: not"
              + " shown to help here");

  /** Steps between unlearn steps. */
  public static final SettingDef<Integer> INTERVAL =
      SettingDef.integer(
          "refresh-interval",
          1,
          Bounds.atLeast(1),
          "run the unlearn step before every refresh-interval-th normal step (1: every step)");

  /** Ascent step size. */
  public static final SettingDef<Double> UNLEARN_RATE =
      SettingDef.number(
          "refresh-unlearn-rate",
          1e-5,
          Bounds.closed(0, 1),
          "size of the unlearn (ascent) step relative to each tensor's norm");

  /** Noise of the unlearn step. */
  public static final SettingDef<Double> NOISE_SCALE =
      SettingDef.number(
          "refresh-noise-scale",
          1e-3,
          Bounds.atLeast(0),
          "standard deviation of the unlearn step's Gaussian noise, relative to the step");

  /** Fisher damping constant c. */
  public static final SettingDef<Double> FISHER_DAMPING =
      SettingDef.number(
          "refresh-fisher-damping",
          1e-3,
          Bounds.atLeast(0),
          "the constant c in the unlearn step's damping 1 / (1 + c F)");

  /** Fisher decay. */
  public static final SettingDef<Double> FISHER_DECAY =
      SettingDef.number(
          "refresh-fisher-decay",
          1e-5,
          Bounds.closed(0, 1),
          "weight of the previous Fisher when a finished task's Fisher is added");

  /** Fisher estimation batch. */
  public static final SettingDef<Integer> FISHER_BATCH_SIZE =
      SettingDef.integer(
          "refresh-fisher-batch-size",
          16,
          Bounds.atLeast(1),
          "samples per mini-batch gradient when the Fisher is estimated");

  /** Every setting, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          ENABLED,
          INTERVAL,
          UNLEARN_RATE,
          NOISE_SCALE,
          FISHER_DAMPING,
          FISHER_DECAY,
          FISHER_BATCH_SIZE);

  /** Validates every setting against its declaration; an error names the key. */
  public RefreshSettings {
    INTERVAL.validate("", interval);
    UNLEARN_RATE.validate("", unlearnRate);
    NOISE_SCALE.validate("", noiseScale);
    FISHER_DAMPING.validate("", fisherDamping);
    FISHER_DECAY.validate("", fisherDecay);
    FISHER_BATCH_SIZE.validate("", fisherBatchSize);
  }

  /** Settings from declared values; a setting not given takes its declared default. */
  public static RefreshSettings from(SettingValues values) {
    return new RefreshSettings(
        values.get(ENABLED),
        values.get(INTERVAL),
        values.get(UNLEARN_RATE),
        values.get(NOISE_SCALE),
        values.get(FISHER_DAMPING),
        values.get(FISHER_DECAY),
        values.get(FISHER_BATCH_SIZE));
  }

  /** Adds every setting under its declared key to {@code values}. */
  public SettingValues addTo(SettingValues values) {
    return values
        .put(ENABLED, enabled)
        .put(INTERVAL, interval)
        .put(UNLEARN_RATE, unlearnRate)
        .put(NOISE_SCALE, noiseScale)
        .put(FISHER_DAMPING, fisherDamping)
        .put(FISHER_DECAY, fisherDecay)
        .put(FISHER_BATCH_SIZE, fisherBatchSize);
  }

  /**
   * The strengths of the method's reference code (Wang et al.'s, on DER++): a step of 1e-5 relative
   * to each tensor's norm, noise 0.001, damping 0.001, Fisher decay 1e-5, every step; switched off.
   */
  public static RefreshSettings defaults() {
    return from(SettingValues.create());
  }

  /** The defaults, switched on. */
  public static RefreshSettings enabledDefaults() {
    return defaults().withEnabled(true);
  }

  /** A copy with {@code enabled} replaced. */
  public RefreshSettings withEnabled(boolean on) {
    return new RefreshSettings(
        on, interval, unlearnRate, noiseScale, fisherDamping, fisherDecay, fisherBatchSize);
  }
}
