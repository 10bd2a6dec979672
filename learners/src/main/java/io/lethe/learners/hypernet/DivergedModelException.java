package io.lethe.learners.hypernet;

/** Thrown instead of producing a snapshot when a weight is NaN/Inf or the last loss diverged. */
public final class DivergedModelException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what diverged and what to try. */
  public DivergedModelException(String message) {
    super(message);
  }
}
