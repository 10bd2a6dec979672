package io.lethe.learners.analytic;

/**
 * What an erasure did to an analytic learner.
 *
 * @param samplesErased number of samples removed from the sums
 * @param path how the solved model was brought up to date
 */
public record ErasureOutcome(long samplesErased, ModelUpdate path) {

  /** How the solved head W followed an erasure; both give the retrained model up to round-off. */
  public enum ModelUpdate {
    /** W and R = G^-1 were downdated in place with the Woodbury identity (cheap, O(d_E^2 b)). */
    WOODBURY_DOWNDATE,
    /** Only the sums changed; W is re-solved from them on the next read (O(d_E^3)). */
    RESOLVE_ON_READ
  }
}
