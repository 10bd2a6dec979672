package io.lethe.job.learner;

import io.lethe.records.ErasureGuarantee;

/**
 * How one model applied one erasure.
 *
 * @param guarantee EXACT, APPROXIMATE, or REJECTED (nothing changed)
 * @param reason why it was rejected or approximate; null for a plain exact erasure
 * @param samplesErased learned samples removed (0 where unknown, e.g. data-free task erasure)
 */
public record ErasureResult(ErasureGuarantee guarantee, String reason, long samplesErased) {
  /** An exact erasure of {@code samples} samples. */
  public static ErasureResult exact(long samples) {
    return new ErasureResult(ErasureGuarantee.EXACT, null, samples);
  }

  /** A refusal that changed nothing. */
  public static ErasureResult rejected(String reason) {
    return new ErasureResult(ErasureGuarantee.REJECTED, reason, 0);
  }
}
