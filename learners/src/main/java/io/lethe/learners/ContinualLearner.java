package io.lethe.learners;

import io.lethe.learners.data.LabeledBatch;

/**
 * What the continual-learning evaluation drives: any of Lethe's learners, learning a stream of task
 * batches and predicting labels (class-incremental: without being told the task).
 */
public interface ContinualLearner extends AutoCloseable {

  /** Short name used in reports, e.g. "analytic". */
  String name();

  /** Learns one batch; all samples belong to {@code batch.task()}. */
  void learn(LabeledBatch batch);

  /** Called after the last batch of a task (a learner may consolidate or solve here). */
  void finishTask(String task);

  /** Predicted label per row. */
  int[] predict(float[][] rows);

  /** Releases native memory. */
  @Override
  void close();
}
