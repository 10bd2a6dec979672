package io.lethe.evaluation;

import io.lethe.learners.ContinualLearner;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitTaskStream;
import java.util.ArrayList;
import java.util.List;

/** Runs the task-by-task protocol shared by all learners and measures accuracies. */
final class ContinualEvaluation {
  private ContinualEvaluation() {}

  /**
   * Learns the training stream task by task and, after each task, tests on every task's test data
   * (class-incremental: predictions range over all classes learned so far).
   *
   * @param train the training stream
   * @param test the test data, split into the same tasks (same options, test set)
   */
  public static AccuracyMatrix run(
      ContinualLearner learner, SplitTaskStream train, SplitTaskStream test) {
    List<SplitTaskStream.Task> tasks = train.tasks();
    List<LabeledSet> testSets = new ArrayList<>();
    for (SplitTaskStream.Task task : tasks) {
      testSets.add(test.taskSet(task));
    }
    List<List<Double>> rows = new ArrayList<>();
    for (SplitTaskStream.Task task : tasks) {
      for (LabeledBatch batch : train.batches(task)) {
        learner.learn(batch);
      }
      learner.finishTask(task.id());
      List<Double> row = new ArrayList<>();
      for (LabeledSet testSet : testSets) {
        row.add(accuracy(learner, testSet));
      }
      rows.add(row);
    }
    return new AccuracyMatrix(tasks.stream().map(SplitTaskStream.Task::id).toList(), rows);
  }

  /** Fraction of {@code set} predicted correctly (0 for an empty set). */
  public static double accuracy(ContinualLearner learner, LabeledSet set) {
    if (set.size() == 0) {
      return 0;
    }
    int[] predicted = learner.predict(set.features());
    return matches(predicted, set.labels()) / (double) set.size();
  }

  /** Number of positions where the two label arrays agree. */
  public static int matches(int[] predicted, int[] labels) {
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    return correct;
  }
}
