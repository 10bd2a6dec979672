package io.lethe.learners.hypernet;

/**
 * What one learned micro-batch did.
 *
 * @param task the task learned
 * @param samples samples in the micro-batch
 * @param steps optimizer steps taken
 * @param meanLoss mean total loss (cross-entropy plus stability term) over the steps
 * @param refreshSteps refresh unlearn steps taken before those steps
 */
public record LearnReport(String task, int samples, int steps, double meanLoss, int refreshSteps) {}
