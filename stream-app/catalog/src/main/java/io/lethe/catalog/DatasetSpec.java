package io.lethe.catalog;

import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import java.io.Serializable;
import java.util.List;

/**
 * A dataset that models learn from: what a valid sample of it looks like. Its catalog keys are
 * declared once, in {@link #SETTINGS}.
 *
 * @param name dataset name, as in {@code TrainingSample.dataset}
 * @param features number of features every sample has
 * @param classes labels lie in {@code [0, classes)}
 * @param maxAbsFeature every feature lies in {@code [-maxAbsFeature, maxAbsFeature]}
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

  /** The dataset's name. */
  public static final SettingDef<String> NAME =
      SettingDef.text(
          "name",
          null,
          ModelSpec.NAME_PATTERN,
          ModelSpec.NAME_ALLOWED,
          "dataset name, as samples give it in their dataset field");

  /** Features per sample. */
  public static final SettingDef<Integer> FEATURES =
      SettingDef.integer(
          "features", null, Bounds.atLeast(1), "number of features every sample has");

  /** Number of classes. */
  public static final SettingDef<Integer> CLASSES =
      SettingDef.integer("classes", null, Bounds.atLeast(2), "labels lie in [0, classes)");

  /** Bound on a feature's magnitude. */
  public static final SettingDef<Double> MAX_ABS_FEATURE =
      SettingDef.number(
          "max-abs-feature",
          DEFAULT_MAX_ABS_FEATURE,
          Bounds.above(0),
          "every feature lies in [-max-abs-feature, max-abs-feature]; larger values are"
              + " dead-lettered");

  /** Every key of a dataset entry, in order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(NAME, FEATURES, CLASSES, MAX_ABS_FEATURE);

  /** Checks every value against its declaration. */
  public DatasetSpec {
    String where = "dataset '" + name + "': ";
    NAME.validate(where, name);
    FEATURES.validate(where, features);
    CLASSES.validate(where, classes);
    MAX_ABS_FEATURE.validate(where, maxAbsFeature);
  }

  /** A dataset with the default feature bound. */
  public DatasetSpec(String name, int features, int classes) {
    this(name, features, classes, DEFAULT_MAX_ABS_FEATURE);
  }
}
