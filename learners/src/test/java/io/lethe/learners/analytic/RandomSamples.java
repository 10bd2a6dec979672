package io.lethe.learners.analytic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/** Random labelled samples with ids, subjects and tasks, for exactness tests. */
final class RandomSamples {
  final List<String> ids = new ArrayList<>();
  final List<String> subjects = new ArrayList<>();
  final List<String> tasks = new ArrayList<>();
  final List<float[]> features = new ArrayList<>();
  final List<Integer> labels = new ArrayList<>();

  /** Samples of tasks "t0".."t{tasks-1}", two classes per task, features in [0, 1). */
  static RandomSamples generate(
      long seed, int count, int inputDim, int taskCount, int subjectCount) {
    SplittableRandom random = new SplittableRandom(seed);
    RandomSamples samples = new RandomSamples();
    for (int i = 0; i < count; i++) {
      int task = random.nextInt(taskCount);
      int label = 2 * task + random.nextInt(2);
      float[] row = new float[inputDim];
      for (int c = 0; c < inputDim; c++) {
        // class-dependent mean so the problem is learnable
        row[c] = (float) Math.min(1.0, random.nextDouble() * 0.8 + (c % 10 == label ? 0.2 : 0.0));
      }
      samples.add("s-" + i, "u-" + random.nextInt(subjectCount), "t" + task, row, label);
    }
    return samples;
  }

  void add(String id, String subject, String task, float[] row, int label) {
    ids.add(id);
    subjects.add(subject);
    tasks.add(task);
    features.add(row);
    labels.add(label);
  }

  int size() {
    return ids.size();
  }

  RandomSamples filter(Predicate<Integer> keepIndex) {
    RandomSamples out = new RandomSamples();
    for (int i = 0; i < size(); i++) {
      if (keepIndex.test(i)) {
        out.add(ids.get(i), subjects.get(i), tasks.get(i), features.get(i), labels.get(i));
      }
    }
    return out;
  }

  float[][] rows() {
    return features.toArray(new float[0][]);
  }

  int[] labelArray() {
    return labels.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Learns the samples in order, in batches of {@code batchSize} rows of one task each. */
  void learnInto(AnalyticLearner learner, int batchSize) {
    forEachBatch(
        batchSize,
        (task, start, end) ->
            learner.learn(
                task,
                ids.subList(start, end),
                features.subList(start, end).toArray(new float[0][]),
                labelArray(start, end)));
  }

  /**
   * {@link #learnInto}, with the features packed by {@code pack} into {@link
   * io.lethe.learners.data.PackedFeatures}' form ({@link AnalyticLearner#learnPacked}).
   */
  void learnPackedInto(AnalyticLearner learner, int batchSize, Function<float[], byte[]> pack) {
    forEachBatch(
        batchSize,
        (task, start, end) ->
            learner.learnPacked(
                task,
                ids.subList(start, end),
                features.subList(start, end).stream().map(pack).toArray(byte[][]::new),
                labelArray(start, end)));
  }

  /** A batch of rows {@code start} (inclusive) to {@code end} (exclusive), all of {@code task}. */
  private interface Batch {
    void accept(String task, int start, int end);
  }

  /** Calls {@code batch} for the samples in order, at most {@code batchSize} rows of one task. */
  private void forEachBatch(int batchSize, Batch batch) {
    int start = 0;
    while (start < size()) {
      String task = tasks.get(start);
      int end = start;
      while (end < size() && end - start < batchSize && tasks.get(end).equals(task)) {
        end++;
      }
      batch.accept(task, start, end);
      start = end;
    }
  }

  private int[] labelArray(int start, int end) {
    return labels.subList(start, end).stream().mapToInt(Integer::intValue).toArray();
  }

  /** Erases the samples in chunks of {@code chunk} rows. */
  void eraseFrom(AnalyticLearner learner, int chunk) {
    for (int start = 0; start < size(); start += chunk) {
      int end = Math.min(size(), start + chunk);
      learner.eraseSamples(
          ids.subList(start, end),
          features.subList(start, end).toArray(new float[0][]),
          labels.subList(start, end).stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
