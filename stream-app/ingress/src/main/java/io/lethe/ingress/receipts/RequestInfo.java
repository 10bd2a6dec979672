package io.lethe.ingress.receipts;

import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.validation.ErasureContent;
import java.time.Instant;
import java.util.List;

/**
 * An erasure request as the receipt tracker keeps it: what the receipt repeats, what the tracker
 * forwards to the learner job, and the fingerprint of its content ({@link ErasureContent}) that
 * tells a retry from a reused request id.
 *
 * @param requestId the request's id
 * @param scope {@code SAMPLE}, {@code SUBJECT} or {@code TASK}
 * @param requester who asked
 * @param requestedAtMs when the privacy system issued it, epoch milliseconds
 * @param ids the ids to erase, as sent
 * @param subjectId the subject of a SAMPLE request, or null
 * @param dataset the dataset filter, or null
 * @param models the model filter, as sent
 * @param fingerprint {@link ErasureContent#fingerprint()} of the request; null in requests stored
 *     before it existed, which therefore match no other request
 */
public record RequestInfo(
    String requestId,
    String scope,
    String requester,
    long requestedAtMs,
    List<String> ids,
    String subjectId,
    String dataset,
    List<String> models,
    String fingerprint) {

  /** A request known only by what its receipt repeats (no ids, filters or fingerprint). */
  public RequestInfo(String requestId, String scope, String requester, long requestedAtMs) {
    this(requestId, scope, requester, requestedAtMs, List.of(), null, null, List.of(), null);
  }

  /** Everything the tracker keeps of {@code request}. */
  public static RequestInfo of(ErasureRequest request) {
    return new RequestInfo(
        request.getRequestId(),
        request.getScope() == null ? null : request.getScope().name(),
        request.getRequester(),
        request.getRequestedAt() == null ? 0 : request.getRequestedAt().toEpochMilli(),
        request.getIds() == null ? List.of() : List.copyOf(request.getIds()),
        request.getSubjectId(),
        request.getDataset(),
        request.getModels() == null ? List.of() : List.copyOf(request.getModels()),
        request.getScope() == null || request.getIds() == null || request.getModels() == null
            ? null
            : ErasureContent.of(request).fingerprint());
  }

  /** True when {@code other} asks for exactly what this request asks for. */
  public boolean sameContentAs(RequestInfo other) {
    return fingerprint != null && fingerprint.equals(other.fingerprint());
  }

  /**
   * The key on the validated topic: the subject, so the request reaches the partition holding that
   * subject's ledger, or the first task id for TASK scope.
   */
  public String routingKey() {
    return ErasureScope.valueOf(scope) == ErasureScope.SAMPLE ? subjectId : ids.get(0);
  }

  /** The request again, as the learner job reads it from the validated topic. */
  public ErasureRequest toRequest() {
    return ErasureRequest.newBuilder()
        .setRequestId(requestId)
        .setScope(ErasureScope.valueOf(scope))
        .setIds(ids)
        .setSubjectId(subjectId)
        .setDataset(dataset)
        .setModels(models)
        .setRequestedAt(Instant.ofEpochMilli(requestedAtMs))
        .setRequester(requester)
        .build();
  }
}
