package io.lethe.learners.snapshot;

/** Thrown instead of encoding a snapshot whose tensors contain NaN or infinity. */
public final class NonFiniteWeightsException extends IllegalStateException {
  /** Names the tensor, the flat index and the value found. */
  public NonFiniteWeightsException(String tensor, long index, double value) {
    super(
        "refusing to encode a snapshot: tensor "
            + tensor
            + " has the non-finite value "
            + value
            + " at flat index "
            + index);
  }
}
