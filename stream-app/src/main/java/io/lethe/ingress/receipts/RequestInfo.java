package io.lethe.ingress.receipts;

import io.lethe.records.ErasureRequest;

/**
 * The parts of an erasure request its receipt repeats.
 *
 * @param requestId the request's id
 * @param scope {@code SAMPLE}, {@code SUBJECT} or {@code TASK}
 * @param requester who asked
 * @param requestedAtMs when the privacy system issued it, epoch milliseconds
 */
public record RequestInfo(String requestId, String scope, String requester, long requestedAtMs) {
  /** The receipt-relevant parts of {@code request}. */
  public static RequestInfo of(ErasureRequest request) {
    return new RequestInfo(
        request.getRequestId(),
        request.getScope().name(),
        request.getRequester(),
        request.getRequestedAt().toEpochMilli());
  }
}
