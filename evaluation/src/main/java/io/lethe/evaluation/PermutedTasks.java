package io.lethe.evaluation;

import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitMix64;
import io.lethe.learners.data.SplitTaskStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Permuted tasks (Goodfellow et al. 2014, "An empirical investigation of catastrophic forgetting";
 * Zenke et al. 2017's permuted MNIST): every task holds the same classes, and each task sees every
 * sample's features in a fixed order of its own, the task's permutation. Task 0 keeps the features
 * as they are.
 *
 * <p>A task's permutation depends only on its index and the number of features, not on the run's
 * seed, so runs of different seeds learn the same tasks. Permutations of different tasks differ
 * unless there are almost no features (a handful of features has only a few orders to choose from;
 * 784 has 784!).
 */
final class PermutedTasks {
  /** Mixed with the task index to seed the task's permutation. */
  private static final long SEED = 0x7065726d75746564L;

  private PermutedTasks() {}

  /**
   * The permutation of task {@code task}: feature {@code j} of a permuted sample is feature {@code
   * permutation[j]} of the original. The identity for task 0, a seeded Fisher-Yates shuffle for the
   * others.
   */
  static int[] permutation(int task, int features) {
    if (task < 0 || features < 1) {
      throw new IllegalArgumentException(
          "task " + task + " of " + features + " features: expected task >= 0, features >= 1");
    }
    int[] order = IntStream.range(0, features).toArray();
    if (task == 0) {
      return order;
    }
    SplitMix64 random = new SplitMix64(SEED ^ (0x9e3779b97f4a7c15L * task));
    for (int i = features - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(random.nextLong(), i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** The rows with their features reordered by {@code permutation} (new arrays). */
  static float[][] apply(int[] permutation, float[][] rows) {
    float[][] permuted = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      float[] row = rows[i];
      if (row.length != permutation.length) {
        throw new IllegalArgumentException(
            "row " + i + " has " + row.length + " features, expected " + permutation.length);
      }
      float[] out = new float[row.length];
      for (int j = 0; j < out.length; j++) {
        out[j] = row[permutation[j]];
      }
      permuted[i] = out;
    }
    return permuted;
  }

  /** The set with its features permuted for the task with split position {@code task}. */
  static LabeledSet apply(int task, LabeledSet set) {
    if (set.size() == 0) {
      return set;
    }
    return new LabeledSet(
        set.name(),
        apply(permutation(task, set.featureCount()), set.features()),
        set.labels().clone());
  }

  /** The batches with their features permuted for the task with split position {@code task}. */
  static List<LabeledBatch> apply(int task, List<LabeledBatch> batches) {
    List<LabeledBatch> permuted = new ArrayList<>(batches.size());
    int[] permutation = null;
    for (LabeledBatch batch : batches) {
      if (permutation == null && batch.size() > 0) {
        permutation = permutation(task, batch.features()[0].length);
      }
      permuted.add(
          new LabeledBatch(
              batch.task(),
              batch.sampleIds(),
              batch.subjectIds(),
              permutation == null ? batch.features() : apply(permutation, batch.features()),
              batch.labels()));
    }
    return permuted;
  }

  /**
   * A stream of {@code count} tasks, each holding every class of {@code classes} in ascending
   * order, in task order; the task ids are "0".."count-1", the permutation index of each task.
   */
  static SplitTaskStream.Options stream(
      int count, TaskSplit classes, long shuffleSeed, int batchSize, int subjects) {
    if (count < 2) {
      throw new IllegalArgumentException(
          "a continual evaluation needs at least 2 permuted tasks, got " + count);
    }
    List<Integer> all = classes.classes().stream().sorted().toList();
    return new SplitTaskStream.Options(
        Collections.nCopies(count, all),
        IntStream.range(0, count).boxed().toList(),
        shuffleSeed,
        batchSize,
        subjects);
  }
}
