package io.lethe.learners.refresh;

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

  /** Validates every setting; an error names the key, the value and what is allowed. */
  public RefreshSettings {
    require(interval >= 1, "refresh.interval", interval, "an integer >= 1");
    require(
        Double.isFinite(unlearnRate) && unlearnRate >= 0 && unlearnRate <= 1,
        "refresh.unlearnRate",
        unlearnRate,
        "a number in [0, 1]");
    require(
        Double.isFinite(noiseScale) && noiseScale >= 0,
        "refresh.noiseScale",
        noiseScale,
        "a finite number >= 0");
    require(
        Double.isFinite(fisherDamping) && fisherDamping >= 0,
        "refresh.fisherDamping",
        fisherDamping,
        "a finite number >= 0");
    require(
        Double.isFinite(fisherDecay) && fisherDecay >= 0 && fisherDecay <= 1,
        "refresh.fisherDecay",
        fisherDecay,
        "a number in [0, 1]");
    require(fisherBatchSize >= 1, "refresh.fisherBatchSize", fisherBatchSize, "an integer >= 1");
  }

  /**
   * The strengths of the method's reference code (Wang et al.'s, on DER++): a step of 1e-5 relative
   * to each tensor's norm, noise 0.001, damping 0.001, Fisher decay 1e-5, every step; switched off.
   */
  public static RefreshSettings defaults() {
    return new RefreshSettings(false, 1, 1e-5, 1e-3, 1e-3, 1e-5, 16);
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

  static void require(boolean ok, String key, Object value, String allowed) {
    if (!ok) {
      throw new IllegalArgumentException(
          "setting " + key + " = " + value + " is invalid: allowed is " + allowed);
    }
  }
}
