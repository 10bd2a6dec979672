package io.lethe.catalog;

import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.TrainingSample;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * What makes a training sample or an erasure request valid against the catalog: one set of rules
 * for the ingress, which rejects bad records at the door, and the learner job, which checks again
 * because it may be fed directly.
 */
public final class RecordRules implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ModelCatalog catalog;

  /** Rules for the datasets and models of {@code catalog}. */
  public RecordRules(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  /** Why {@code sample} is invalid, or empty if it is valid. */
  public Optional<String> problemWith(TrainingSample sample) {
    String id = sample.getSampleId();
    if (isBlank(id)) {
      return Optional.of("sample has no sampleId");
    }
    if (isBlank(sample.getSubjectId())) {
      return Optional.of("sample " + id + " has no subjectId");
    }
    if (isBlank(sample.getTask())) {
      return Optional.of("sample " + id + " has no task");
    }
    Optional<DatasetSpec> found = catalog.dataset(sample.getDataset());
    if (found.isEmpty()) {
      return Optional.of(
          "sample "
              + id
              + " names unknown dataset "
              + sample.getDataset()
              + "; the catalog has "
              + catalog.datasets().keySet());
    }
    DatasetSpec dataset = found.get();
    List<Float> features = sample.getFeatures();
    if (features.size() != dataset.features()) {
      return Optional.of(
          "sample "
              + id
              + " of dataset "
              + dataset.name()
              + " has "
              + features.size()
              + " features, expected "
              + dataset.features());
    }
    for (int i = 0; i < features.size(); i++) {
      float value = features.get(i);
      if (!Float.isFinite(value)) {
        return Optional.of("sample " + id + " has non-finite feature " + i + " (" + value + ")");
      }
    }
    if (sample.getLabel() < 0 || sample.getLabel() >= dataset.classes()) {
      return Optional.of(
          "sample "
              + id
              + " has label "
              + sample.getLabel()
              + ", expected 0 to "
              + (dataset.classes() - 1)
              + " for dataset "
              + dataset.name());
    }
    return Optional.empty();
  }

  /** Why {@code request} is invalid, or empty if it is valid. */
  public Optional<String> problemWith(ErasureRequest request) {
    String id = request.getRequestId();
    if (isBlank(id)) {
      return Optional.of("erasure request has no requestId");
    }
    if (isBlank(request.getRequester())) {
      return Optional.of("erasure request " + id + " has no requester");
    }
    List<String> ids = request.getIds();
    if (ids.isEmpty()) {
      return Optional.of("erasure request " + id + " names no ids to erase");
    }
    if (ids.stream().anyMatch(RecordRules::isBlank)) {
      return Optional.of("erasure request " + id + " has a blank id");
    }
    ErasureScope scope = request.getScope();
    String subject = request.getSubjectId();
    if (scope == ErasureScope.SUBJECT) {
      if (ids.size() != 1) {
        return Optional.of(
            "erasure request "
                + id
                + " of scope SUBJECT names "
                + ids.size()
                + " subjects; send one request per subject");
      }
      if (subject != null && !subject.equals(ids.get(0))) {
        return Optional.of(
            "erasure request "
                + id
                + " of scope SUBJECT erases "
                + ids.get(0)
                + " but its subjectId is "
                + subject);
      }
    }
    if (scope == ErasureScope.SAMPLE && isBlank(subject)) {
      return Optional.of(
          "erasure request " + id + " of scope SAMPLE needs the subjectId the samples belong to");
    }
    String dataset = request.getDataset();
    if (dataset != null && catalog.dataset(dataset).isEmpty()) {
      return Optional.of(
          "erasure request "
              + id
              + " names unknown dataset "
              + dataset
              + "; the catalog has "
              + catalog.datasets().keySet());
    }
    for (String model : request.getModels()) {
      Optional<ModelSpec> spec = catalog.model(model);
      if (spec.isEmpty()) {
        return Optional.of("erasure request " + id + " names unknown model " + model);
      }
      if (dataset != null && !spec.get().dataset().equals(dataset)) {
        return Optional.of(
            "erasure request "
                + id
                + " names model "
                + model
                + ", which learns "
                + spec.get().dataset()
                + ", not "
                + dataset);
      }
    }
    return Optional.empty();
  }

  /** The subject whose ledger answers a SAMPLE or SUBJECT request (null for TASK scope). */
  public static String subjectOf(ErasureRequest request) {
    return switch (request.getScope()) {
      case SUBJECT -> request.getIds().get(0);
      case SAMPLE -> request.getSubjectId();
      case TASK -> null;
    };
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
