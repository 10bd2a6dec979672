package io.lethe.learners.data;

import java.util.List;

/**
 * A batch of labelled samples of one task, with the ids a ledger and an erasure request refer to.
 *
 * @param task task id (for Split Fashion-MNIST "0".."4", the task's position in the split)
 * @param sampleIds unique sample ids, one per row
 * @param subjectIds the subject (person, entity) each sample is about, one per row
 * @param features one feature row per sample
 * @param labels class label per sample, 0-based
 */
public record LabeledBatch(
    String task,
    List<String> sampleIds,
    List<String> subjectIds,
    float[][] features,
    int[] labels) {

  /** Checks that every per-sample field has one entry per row; the id lists are copied. */
  public LabeledBatch {
    sampleIds = List.copyOf(sampleIds);
    subjectIds = List.copyOf(subjectIds);
    int n = sampleIds.size();
    if (subjectIds.size() != n || features.length != n || labels.length != n) {
      throw new IllegalArgumentException(
          "batch of task "
              + task
              + " has "
              + n
              + " ids, "
              + subjectIds.size()
              + " subjects, "
              + features.length
              + " rows and "
              + labels.length
              + " labels");
    }
  }

  /** Number of samples. */
  public int size() {
    return sampleIds.size();
  }
}
