package io.lethe.learners.hypernet;

/**
 * What forgetting some of a task's samples did ({@link HypernetLearner#forgetSamples}).
 *
 * @param task the task
 * @param eraseSteps noise-alignment steps on the task's old embedding
 * @param relearnSteps steps learning the task's new embedding from the kept samples (0 if none were
 *     kept: the task was removed)
 * @param keptSamples samples the task was learned again from
 * @param finalLoss loss of the last relearning step (NaN if none was taken)
 * @param seconds wall-clock time of the whole operation
 */
public record ForgetReport(
    String task,
    int eraseSteps,
    int relearnSteps,
    int keptSamples,
    double finalLoss,
    double seconds) {

  /** Whether no sample was kept, so the task is no longer active (and may be learned anew). */
  public boolean removed() {
    return keptSamples == 0;
  }
}
