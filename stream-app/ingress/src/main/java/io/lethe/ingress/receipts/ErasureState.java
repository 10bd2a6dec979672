package io.lethe.ingress.receipts;

import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ingress knows about one erasure request: the request, the job's affected models and the
 * confirmations so far. The value of the receipt store, keyed by request id; immutable.
 *
 * <p>The three inputs may arrive in any order (a confirmation can overtake the affected list, both
 * can overtake the request), so each part is optional until the receipt is issued.
 *
 * @param requestId the request id
 * @param status where the request stands
 * @param request the request, or null if only the job's records have arrived so far
 * @param rejection why the ingress rejected the request; null unless REJECTED
 * @param affectedModels the job's list of affected models, or null until it arrives
 * @param confirmations confirmations by model, in arrival order
 * @param firstSeenMs wall-clock time the ingress first heard of the request, epoch milliseconds
 * @param finishedAtMs when the receipt was issued, or null while pending
 * @param overdueReported whether the request was already reported as overdue
 */
public record ErasureState(
    String requestId,
    ErasureStatus status,
    RequestInfo request,
    String rejection,
    List<String> affectedModels,
    Map<String, ModelConfirmation> confirmations,
    long firstSeenMs,
    Long finishedAtMs,
    boolean overdueReported) {

  /** Copies the collections. */
  public ErasureState {
    affectedModels = affectedModels == null ? null : List.copyOf(affectedModels);
    confirmations =
        confirmations == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(confirmations));
  }

  /** A request nothing is known about yet, first seen at {@code nowMs}. */
  public static ErasureState unknown(String requestId, long nowMs) {
    return new ErasureState(
        requestId, ErasureStatus.PENDING, null, null, null, Map.of(), nowMs, null, false);
  }

  /** With the (valid) request. */
  public ErasureState withRequest(RequestInfo info) {
    return new ErasureState(
        requestId,
        status,
        info,
        rejection,
        affectedModels,
        confirmations,
        firstSeenMs,
        finishedAtMs,
        overdueReported);
  }

  /** Rejected by the ingress at {@code nowMs}. */
  public ErasureState rejected(RequestInfo info, String reason, long nowMs) {
    return new ErasureState(
        requestId,
        ErasureStatus.REJECTED,
        info,
        reason,
        affectedModels,
        confirmations,
        firstSeenMs,
        nowMs,
        overdueReported);
  }

  /** With the job's list of affected models. */
  public ErasureState withAffected(List<String> models) {
    return new ErasureState(
        requestId,
        status,
        request,
        rejection,
        models,
        confirmations,
        firstSeenMs,
        finishedAtMs,
        overdueReported);
  }

  /** With one more model's confirmation. */
  public ErasureState withConfirmation(ModelConfirmation confirmation) {
    Map<String, ModelConfirmation> more = new LinkedHashMap<>(confirmations);
    more.put(confirmation.model(), confirmation);
    return new ErasureState(
        requestId,
        status,
        request,
        rejection,
        affectedModels,
        more,
        firstSeenMs,
        finishedAtMs,
        overdueReported);
  }

  /** Completed at {@code nowMs}. */
  public ErasureState completed(long nowMs) {
    return new ErasureState(
        requestId,
        ErasureStatus.COMPLETED,
        request,
        rejection,
        affectedModels,
        confirmations,
        firstSeenMs,
        nowMs,
        overdueReported);
  }

  /** Marked as reported overdue, so it is logged once. */
  public ErasureState reportedOverdue() {
    return new ErasureState(
        requestId,
        status,
        request,
        rejection,
        affectedModels,
        confirmations,
        firstSeenMs,
        finishedAtMs,
        true);
  }

  /** True when pending, the request is known and every affected model has confirmed. */
  public boolean readyToComplete() {
    return status == ErasureStatus.PENDING
        && request != null
        && affectedModels != null
        && confirmations.keySet().containsAll(affectedModels);
  }

  /** Affected models that have not confirmed yet, or null while the affected list is unknown. */
  public List<String> awaitedModels() {
    return affectedModels == null
        ? null
        : affectedModels.stream().filter(m -> !confirmations.containsKey(m)).toList();
  }

  /**
   * The receipt of a COMPLETED or REJECTED request: one entry per affected model, in the job's
   * order.
   */
  public ErasureReceipt toReceipt() {
    if (status == ErasureStatus.PENDING || request == null || finishedAtMs == null) {
      throw new IllegalStateException("erasure request " + requestId + " has no receipt yet");
    }
    List<ModelErasure> models =
        status == ErasureStatus.REJECTED
            ? List.of()
            : affectedModels.stream().map(m -> confirmations.get(m).toModelErasure()).toList();
    return ErasureReceipt.newBuilder()
        .setRequestId(requestId)
        .setScope(ErasureScope.valueOf(request.scope()))
        .setRequester(request.requester())
        .setStatus(
            status == ErasureStatus.REJECTED ? ReceiptStatus.REJECTED : ReceiptStatus.COMPLETED)
        .setReason(rejection)
        .setModels(models)
        .setRequestedAt(Instant.ofEpochMilli(request.requestedAtMs()))
        .setCompletedAt(Instant.ofEpochMilli(finishedAtMs))
        .setLatencyMs(finishedAtMs - request.requestedAtMs())
        .build();
  }
}
