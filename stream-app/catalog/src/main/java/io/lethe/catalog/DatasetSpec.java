package io.lethe.catalog;

import java.io.Serializable;

/**
 * A dataset that models learn from: what a valid sample of it looks like.
 *
 * @param name dataset name, as in {@code TrainingSample.dataset}
 * @param features number of features every sample has
 * @param classes labels lie in {@code [0, classes)}
 * @param maxAbsFeature every feature lies in {@code [-maxAbsFeature, maxAbsFeature]}; catalog key
 *     {@code max-abs-feature}, default {@link #DEFAULT_MAX_ABS_FEATURE}
 */
public record DatasetSpec(String name, int features, int classes, double maxAbsFeature)
    implements Serializable {

  /**
   * Default bound on a feature's magnitude. The analytic learner's ridge solve keeps its float64
   * sums exact only while the squared buffer activations stay well inside float64's 16 digits of
   * their regularisation: a single value near float32's maximum (one flipped exponent bit) makes
   * the sums indefinite. Datasets with larger raw values should be scaled, or raise the bound.
   */
  public static final double DEFAULT_MAX_ABS_FEATURE = 1e6;

  /** A dataset with the default feature bound. */
  public DatasetSpec(String name, int features, int classes) {
    this(name, features, classes, DEFAULT_MAX_ABS_FEATURE);
  }
}
