package io.lethe.ingress.receipts;

/** Where an erasure request stands, as the status endpoint reports it. */
public enum ErasureStatus {
  /** Valid, and at least one affected model has not confirmed yet (or the job has not answered). */
  PENDING,
  /** Every affected model confirmed; the receipt was published. */
  COMPLETED,
  /** The ingress refused the request; a REJECTED receipt says why. */
  REJECTED
}
