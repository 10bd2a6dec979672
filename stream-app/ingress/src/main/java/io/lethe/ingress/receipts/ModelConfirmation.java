package io.lethe.ingress.receipts;

import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelErasure;
import java.time.Instant;

/**
 * One model's confirmation of an erasure request, as the learner job sent it.
 *
 * @param model model name
 * @param guarantee {@code EXACT}, {@code APPROXIMATE} or {@code REJECTED}
 * @param reason why rejected or only approximate; null for a plain exact erasure
 * @param firstVersionWithout first snapshot version without the data; null when rejected
 * @param appliedAtMs when the model's state changed, epoch milliseconds
 */
public record ModelConfirmation(
    String model, String guarantee, String reason, Long firstVersionWithout, long appliedAtMs) {

  /** The confirmation carried by {@code applied}. */
  public static ModelConfirmation of(ErasureApplied applied) {
    return new ModelConfirmation(
        applied.getModel(),
        applied.getGuarantee().name(),
        applied.getReason(),
        applied.getFirstVersionWithout(),
        applied.getAppliedAt().toEpochMilli());
  }

  /** This confirmation as a receipt entry. */
  public ModelErasure toModelErasure() {
    return new ModelErasure(
        model,
        ErasureGuarantee.valueOf(guarantee),
        reason,
        firstVersionWithout,
        Instant.ofEpochMilli(appliedAtMs));
  }
}
