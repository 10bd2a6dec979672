package io.lethe.validation;

import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.records.ErasureRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a decoded erasure request: ids and requester present, scope and ids consistent, dataset
 * and model filters known to the catalog. Stateless and thread-safe.
 */
public final class ErasureRequestValidator implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Reason code: the request id is missing or blank (no receipt can answer such a request). */
  public static final String MISSING_REQUEST_ID = "missing-request-id";

  /** Reason code: the requester is missing or blank. */
  public static final String MISSING_REQUESTER = "missing-requester";

  /** Reason code: the id list is empty. */
  public static final String NO_IDS = "no-ids";

  /** Reason code: one of the ids is blank. */
  public static final String BLANK_ID = "blank-id";

  /** Reason code: a SUBJECT-scope request names more than one subject. */
  public static final String SUBJECT_SCOPE_NEEDS_ONE_ID = "subject-scope-needs-one-id";

  /** Reason code: a SUBJECT-scope request's subjectId differs from its id. */
  public static final String SUBJECT_ID_MISMATCH = "subject-id-mismatch";

  /** Reason code: a SAMPLE-scope request has no subjectId. */
  public static final String SAMPLE_SCOPE_NEEDS_SUBJECT = "sample-scope-needs-subject";

  /** Reason code: the dataset filter names a dataset the catalog does not have. */
  public static final String UNKNOWN_DATASET = "unknown-dataset";

  /** Reason code: the model filter names a model the catalog does not have. */
  public static final String UNKNOWN_MODEL = "unknown-model";

  /** Reason code: the model filter names a model that does not learn from the dataset filter. */
  public static final String MODEL_NOT_ON_DATASET = "model-not-on-dataset";

  private final ModelCatalog catalog;

  /** A validator against {@code catalog}'s datasets and models. */
  public ErasureRequestValidator(ModelCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /** Why {@code request} must be rejected, or empty if it is valid. */
  public Optional<Rejection> check(ErasureRequest request) {
    if (isBlank(request.getRequestId())) {
      return reject(
          MISSING_REQUEST_ID,
          request.getScope()
              + " erasure request from '"
              + request.getRequester()
              + "' has no requestId");
    }
    String name = "erasure request " + request.getRequestId();
    if (isBlank(request.getRequester())) {
      return reject(MISSING_REQUESTER, name + " has no requester");
    }
    List<String> ids = request.getIds();
    if (ids.isEmpty()) {
      return reject(NO_IDS, name + " (" + request.getScope() + " scope) names no ids");
    }
    for (int i = 0; i < ids.size(); i++) {
      if (isBlank(ids.get(i))) {
        return reject(BLANK_ID, name + " has a blank id at index " + i);
      }
    }
    String subjectId = request.getSubjectId();
    switch (request.getScope()) {
      case SUBJECT -> {
        if (ids.size() != 1) {
          return reject(
              SUBJECT_SCOPE_NEEDS_ONE_ID,
              name
                  + " names "
                  + ids.size()
                  + " subjects, expected exactly one (send one request per data subject)");
        }
        if (subjectId != null && !subjectId.equals(ids.get(0))) {
          return reject(
              SUBJECT_ID_MISMATCH,
              name
                  + " erases subject "
                  + ids.get(0)
                  + " but its subjectId is '"
                  + subjectId
                  + "'; leave subjectId empty or equal to the id");
        }
      }
      case SAMPLE -> {
        if (isBlank(subjectId)) {
          return reject(
              SAMPLE_SCOPE_NEEDS_SUBJECT,
              name + " erases samples but has no subjectId (the subject the samples belong to)");
        }
      }
      case TASK -> {
        // The ids are task ids; any non-blank text is a task id.
      }
    }
    String dataset = request.getDataset();
    if (dataset != null && catalog.dataset(dataset).isEmpty()) {
      return reject(
          UNKNOWN_DATASET,
          name
              + " names dataset '"
              + dataset
              + "', which is not in the model catalog (known: "
              + catalog.datasets().keySet()
              + ")");
    }
    for (String model : request.getModels()) {
      Optional<ModelSpec> spec = catalog.model(model);
      if (spec.isEmpty()) {
        return reject(
            UNKNOWN_MODEL,
            name
                + " names model '"
                + model
                + "', which is not in the model catalog (known: "
                + catalog.models().stream().map(ModelSpec::name).toList()
                + ")");
      }
      if (dataset != null && !spec.get().dataset().equals(dataset)) {
        return reject(
            MODEL_NOT_ON_DATASET,
            name
                + " names model '"
                + model
                + "', which learns from dataset "
                + spec.get().dataset()
                + ", not "
                + dataset);
      }
    }
    return Optional.empty();
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  private static Optional<Rejection> reject(String code, String message) {
    return Optional.of(new Rejection(code, message));
  }
}
