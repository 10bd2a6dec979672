package io.lethe.learners.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Split Fashion-MNIST as a stream of tasks (Zenke et al. 2017's "split" protocol): the classes are
 * split into tasks of two, {0,1}, {2,3}, {4,5}, {6,7}, {8,9}; the stream visits the tasks in a
 * settable order and yields each task's samples shuffled with a settable seed, in batches.
 *
 * <p>Task ids are the task's position in the split ("0" for {0,1}, ...), so they do not change when
 * the order does. A sample's id is {@code <split name>-<row index>} and its subject is {@code
 * subject-<row index mod subjects>}, so ids are stable across runs and every subject has samples in
 * every task (useful for subject-erasure tests and the demo).
 */
public final class SplitTaskStream {

  /** The five two-class tasks of Split Fashion-MNIST, in split order. */
  public static final List<List<Integer>> FASHION_MNIST_TASKS =
      List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7), List.of(8, 9));

  private final LabeledSet data;
  private final Options options;
  private final List<Task> tasks;

  /**
   * One task of the split.
   *
   * @param id the task id, its position in the split
   * @param classes the labels it contains
   */
  public record Task(String id, List<Integer> classes) {
    /** Copies the class list. */
    public Task {
      classes = List.copyOf(classes);
    }
  }

  /**
   * How to stream.
   *
   * @param split the tasks as lists of labels, in split order
   * @param order positions in {@code split} to visit, in visiting order
   * @param shuffleSeed seed of the per-task shuffle
   * @param batchSize samples per batch (the last batch of a task may be smaller)
   * @param subjects number of distinct subject ids
   */
  public record Options(
      List<List<Integer>> split,
      List<Integer> order,
      long shuffleSeed,
      int batchSize,
      int subjects) {
    /** Validates; messages name the option. */
    public Options {
      split = split.stream().map(List::copyOf).toList();
      order = List.copyOf(order);
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batch size is " + batchSize + ", expected > 0");
      }
      if (subjects <= 0) {
        throw new IllegalArgumentException("subjects is " + subjects + ", expected > 0");
      }
      int taskCount = split.size();
      if (order.stream().distinct().count() != order.size()
          || order.stream().anyMatch(i -> i < 0 || i >= taskCount)) {
        throw new IllegalArgumentException(
            "task order " + order + " must list distinct positions in 0.." + (taskCount - 1));
      }
    }

    /** The five Fashion-MNIST tasks in split order. */
    public static Options fashionMnist(long shuffleSeed, int batchSize) {
      return new Options(FASHION_MNIST_TASKS, List.of(0, 1, 2, 3, 4), shuffleSeed, batchSize, 1000);
    }

    /** The same with another task order. */
    public Options withOrder(List<Integer> newOrder) {
      return new Options(split, newOrder, shuffleSeed, batchSize, subjects);
    }
  }

  /** Streams {@code data} as described by {@code options}. */
  public SplitTaskStream(LabeledSet data, Options options) {
    this.data = Objects.requireNonNull(data);
    this.options = Objects.requireNonNull(options);
    List<Task> visited = new ArrayList<>();
    for (int position : options.order()) {
      visited.add(new Task(Integer.toString(position), options.split().get(position)));
    }
    this.tasks = List.copyOf(visited);
  }

  /** The tasks in visiting order. */
  public List<Task> tasks() {
    return tasks;
  }

  /** The samples of one task as a set, in file order (e.g. a task's test data). */
  public LabeledSet taskSet(Task task) {
    return data.select(indicesOf(task));
  }

  /** The shuffled batches of one task. */
  public List<LabeledBatch> batches(Task task) {
    int[] indices = indicesOf(task);
    shuffle(indices, new SplitMix64(options.shuffleSeed() ^ (31L * task.id().hashCode())));
    List<LabeledBatch> batches = new ArrayList<>();
    for (int start = 0; start < indices.length; start += options.batchSize()) {
      int end = Math.min(indices.length, start + options.batchSize());
      List<String> ids = new ArrayList<>(end - start);
      List<String> subjects = new ArrayList<>(end - start);
      float[][] rows = new float[end - start][];
      int[] labels = new int[end - start];
      for (int i = start; i < end; i++) {
        int row = indices[i];
        ids.add(data.name() + "-" + row);
        subjects.add("subject-" + (row % options.subjects()));
        rows[i - start] = data.features()[row];
        labels[i - start] = data.labels()[row];
      }
      batches.add(new LabeledBatch(task.id(), ids, subjects, rows, labels));
    }
    return batches;
  }

  /** All batches of all tasks, task after task in visiting order. */
  public List<LabeledBatch> allBatches() {
    List<LabeledBatch> all = new ArrayList<>();
    for (Task task : tasks) {
      all.addAll(batches(task));
    }
    return all;
  }

  private int[] indicesOf(Task task) {
    return java.util.stream.IntStream.range(0, data.size())
        .filter(i -> task.classes().contains(data.labels()[i]))
        .toArray();
  }

  /** Fisher-Yates with a fully specified generator, so every JVM streams the same order. */
  private static void shuffle(int[] values, SplitMix64 random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(random.nextLong(), i + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }
}
