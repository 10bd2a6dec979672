package io.lethe.learners.hypernet;

/**
 * What erasing one task did.
 *
 * @param task the erased task
 * @param steps optimizer steps taken (0 if the task had already been erased)
 * @param retainedTasks active tasks kept under the stability term during the erasure
 * @param finalLoss loss of the last erasure step (NaN if no step was taken)
 * @param seconds wall-clock time of the erasure
 */
public record EraseReport(
    String task, int steps, int retainedTasks, double finalLoss, double seconds) {}
