package io.lethe.validation;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.serde.FloatList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a decoded training sample against the model catalog: ids present, known dataset, the
 * dataset's feature count, finite values within the dataset's bound and a label in range. Stateless
 * and thread-safe.
 */
public final class SampleValidator implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Reason code: the sample id is missing or blank. */
  public static final String MISSING_SAMPLE_ID = "missing-sample-id";

  /** Reason code: the subject id is missing or blank. */
  public static final String MISSING_SUBJECT_ID = "missing-subject-id";

  /** Reason code: the dataset is not in the catalog. */
  public static final String UNKNOWN_DATASET = "unknown-dataset";

  /** Reason code: the feature vector has the wrong length. */
  public static final String WRONG_FEATURE_COUNT = "wrong-feature-count";

  /** Reason code: a feature is NaN or infinite. */
  public static final String NON_FINITE_FEATURE = "non-finite-feature";

  /** Reason code: a feature's magnitude is over the dataset's {@code max-abs-feature}. */
  public static final String FEATURE_OUT_OF_RANGE = "feature-out-of-range";

  /** Reason code: the label is outside {@code [0, classes)}. */
  public static final String LABEL_OUT_OF_RANGE = "label-out-of-range";

  private final ModelCatalog catalog;

  /** A validator for samples of the datasets in {@code catalog}. */
  public SampleValidator(ModelCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /** Why {@code sample} must be rejected, or empty if it is valid. */
  public Optional<Rejection> check(TrainingSample sample) {
    String dataset = sample.getDataset();
    if (isBlank(sample.getSampleId())) {
      return reject(
          MISSING_SAMPLE_ID,
          "sample of subject '"
              + sample.getSubjectId()
              + "' in dataset "
              + dataset
              + " has no sampleId");
    }
    String name = "sample " + sample.getSampleId() + " of dataset " + dataset;
    if (isBlank(sample.getSubjectId())) {
      return reject(MISSING_SUBJECT_ID, name + " has no subjectId");
    }
    Optional<DatasetSpec> spec = catalog.dataset(dataset);
    if (spec.isEmpty()) {
      return reject(
          UNKNOWN_DATASET,
          "sample "
              + sample.getSampleId()
              + " names dataset '"
              + dataset
              + "', which is not in the model catalog (known: "
              + catalog.datasets().keySet()
              + ")");
    }
    List<Float> features = sample.getFeatures();
    int expected = spec.get().features();
    if (features.size() != expected) {
      return reject(
          WRONG_FEATURE_COUNT,
          name + " has " + features.size() + " features, expected " + expected);
    }
    double bound = spec.get().maxAbsFeature();
    int bad = features instanceof FloatList decoded ? firstBad(decoded.array(), bound) : 0;
    for (int i = bad; i < features.size(); i++) {
      Float value = features.get(i);
      if (value == null || !Float.isFinite(value)) {
        return reject(
            NON_FINITE_FEATURE, name + " has a non-finite feature at index " + i + ": " + value);
      }
      if (Math.abs(value) > bound) {
        return reject(
            FEATURE_OUT_OF_RANGE,
            name
                + " has feature "
                + value
                + " at index "
                + i
                + ", outside [-"
                + bound
                + ", "
                + bound
                + "] (the dataset's max-abs-feature)");
      }
    }
    int classes = spec.get().classes();
    if (sample.getLabel() < 0 || sample.getLabel() >= classes) {
      return reject(
          LABEL_OUT_OF_RANGE,
          name + " has label " + sample.getLabel() + ", expected 0 to " + (classes - 1));
    }
    return Optional.empty();
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  private static Optional<Rejection> reject(String code, String message) {
    return Optional.of(new Rejection(code, message));
  }

  /**
   * The index of the first value that is not finite or is outside [-bound, bound], or the length if
   * none is: the check of every sample, on the decoded array rather than one boxed value at a time
   * (the messages are built by the caller's loop from that index on).
   */
  private static int firstBad(float[] values, double bound) {
    for (int i = 0; i < values.length; i++) {
      float value = values[i];
      if (!Float.isFinite(value) || Math.abs(value) > bound) {
        return i;
      }
    }
    return values.length;
  }
}
