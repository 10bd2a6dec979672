package io.lethe.job.learner;

/**
 * What one idle tick of the learner operator offers a learner for extra training steps ({@link
 * ModelLearner#trainWhileIdle}).
 *
 * @param elapsedNanos wall time since the end of the previous tick's steps
 * @param spareNanos the part of {@code elapsedNanos} that was spare: the learner thread was not
 *     busy with records, timers or checkpoints, and the machine had a core free for as long
 * @param inputCame whether records are coming: one arrived recently (see {@link
 *     LearnerOperator#QUIET_AFTER})
 */
public record IdleTick(long elapsedNanos, long spareNanos, boolean inputCame) {

  /**
   * The time steps may take in this tick: while records come, the spare time, and at most {@code
   * cpuShare} of the tick, so that extra steps do not take time the stream is using; while none
   * come, the whole tick.
   */
  public long budgetNanos(double cpuShare) {
    if (!inputCame) {
      return elapsedNanos;
    }
    return Math.min((long) (elapsedNanos * cpuShare), spareNanos);
  }
}
