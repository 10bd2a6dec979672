package io.lethe.evaluation;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.IdxDataSet;
import io.lethe.learners.data.LabeledSet;
import java.nio.file.Path;
import java.util.Set;

/**
 * The data an evaluation runs on: a training and a test split, checked against the declared number
 * of features and task split so that no sample is dropped silently.
 *
 * @param directory where the data was read (for messages and the report)
 * @param features features per sample
 * @param split the classes, split into tasks
 * @param train the training split
 * @param test the test split
 */
record EvalData(Path directory, int features, TaskSplit split, LabeledSet train, LabeledSet test) {

  /**
   * Checks both splits: every sample has {@code features} features and a label of the split.
   *
   * @throws IllegalArgumentException naming the directory, the split and what to do
   */
  EvalData {
    for (LabeledSet set : new LabeledSet[] {train, test}) {
      if (set.size() == 0) {
        throw new IllegalArgumentException(
            "the " + set.name() + " split in " + directory + " holds no samples");
      }
      if (set.featureCount() != features) {
        throw new IllegalArgumentException(
            "the "
                + set.name()
                + " split in "
                + directory
                + " has "
                + set.featureCount()
                + " features per sample, but --features is "
                + features);
      }
      Set<Integer> declared = split.classes();
      int[] labels = set.labels();
      int outside = 0;
      int first = -1;
      for (int i = 0; i < labels.length; i++) {
        if (!declared.contains(labels[i])) {
          outside++;
          if (first < 0) {
            first = i;
          }
        }
      }
      if (outside > 0) {
        throw new IllegalArgumentException(
            "the "
                + set.name()
                + " split in "
                + directory
                + " has "
                + outside
                + " samples of classes outside --tasks "
                + split
                + " (the first, row "
                + first
                + ", of class "
                + labels[first]
                + "); put every class of the data in a task");
      }
    }
  }

  /**
   * Loads {@code directory} and checks it.
   *
   * @throws IdxDataSet.LoadException if the files cannot be read
   * @throws IllegalArgumentException if they do not match {@code features} and {@code split}
   */
  static EvalData load(Path directory, int features, TaskSplit split) {
    IdxDataSet data = IdxDataSet.load(directory);
    return new EvalData(directory, features, split, data.train(), data.test());
  }

  /** Fashion-MNIST with its 784 features and five two-class tasks. */
  static EvalData of(FashionMnist data) {
    return new EvalData(
        FashionMnist.defaultDirectory(),
        FashionMnist.FEATURES,
        TaskSplit.parse(TaskSplit.FASHION_MNIST),
        data.train(),
        data.test());
  }
}
