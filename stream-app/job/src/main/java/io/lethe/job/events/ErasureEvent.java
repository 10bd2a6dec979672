package io.lethe.job.events;

import io.lethe.records.ErasureScope;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded, validated erasure request inside the job. For SAMPLE and SUBJECT scope {@link
 * #subjectId} is the one subject whose ledger answers it. A Flink POJO.
 */
public final class ErasureEvent {
  public String requestId;
  public ErasureScope scope;
  public String subjectId;
  public List<String> ids = new ArrayList<>();
  public String dataset;
  public List<String> models = new ArrayList<>();
  public long requestedAtMillis;
  public String requester;

  /**
   * {@link io.lethe.validation.ErasureContent#fingerprint()} of the request as sent: what the
   * request-id guard compares to tell a retry from a reused id.
   */
  public String fingerprint;

  /**
   * The record as read, for dead-lettering the request with its bytes. Unlike samples, erasure
   * requests are few and small, so carrying them costs nothing that matters.
   */
  public RawRecord source;

  /** For Flink's POJO serializer. */
  public ErasureEvent() {}

  /** Whether a model of {@code dataset} named {@code model} is within this request's filter. */
  public boolean covers(String model, String modelDataset) {
    return (dataset == null || dataset.equals(modelDataset))
        && (models.isEmpty() || models.contains(model));
  }

  @Override
  public String toString() {
    return "ErasureEvent[" + requestId + ", " + scope + " " + ids + "]";
  }
}
