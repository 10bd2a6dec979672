package io.lethe.learners.hypernet;

/** Thrown when a task that was erased is asked to learn or predict again. */
final class TaskErasedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception for the erased task. */
  public TaskErasedException(String task, String operation) {
    super(
        "task '"
            + task
            + "' was erased from this hypernetwork model and cannot "
            + operation
            + "; an erased task never comes back (use a new task id for new data)");
  }
}
