package io.lethe.evaluation;

import io.lethe.learners.data.SplitTaskStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The classes of an evaluation, split into tasks: at least two tasks, each of at least two classes,
 * no class in two tasks. Written as the classes of each task separated by commas, tasks separated
 * by slashes: {@code 0,1/2,3/4,5/6,7/8,9} ({@link #FASHION_MNIST}).
 *
 * @param tasks each task's classes, in split order
 */
record TaskSplit(List<List<Integer>> tasks) {

  /** Split Fashion-MNIST's five two-class tasks, the default of {@code --tasks}. */
  static final String FASHION_MNIST = "0,1/2,3/4,5/6,7/8,9";

  /** Validates; messages say what is wrong in the split's own syntax. */
  TaskSplit {
    tasks = tasks.stream().map(List::copyOf).toList();
    if (tasks.size() < 2) {
      throw new IllegalArgumentException(
          "a continual evaluation needs at least 2 tasks, got " + tasks.size());
    }
    Set<Integer> seen = new HashSet<>();
    for (List<Integer> task : tasks) {
      if (task.size() < 2) {
        throw new IllegalArgumentException(
            "task " + text(task) + " has " + task.size() + " class, expected at least 2");
      }
      for (int label : task) {
        if (label < 0) {
          throw new IllegalArgumentException("class " + label + " is negative");
        }
        if (!seen.add(label)) {
          throw new IllegalArgumentException("class " + label + " is in more than one task");
        }
      }
    }
  }

  /**
   * Parses {@code 0,1/2,3}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static TaskSplit parse(String text) {
    List<List<Integer>> tasks = new ArrayList<>();
    for (String task : text.strip().split("/", -1)) {
      List<Integer> classes = new ArrayList<>();
      for (String label : task.split(",", -1)) {
        try {
          classes.add(Integer.parseInt(label.strip()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'"
                  + label.strip()
                  + "' is not a class number; write each task's classes separated by commas and"
                  + " tasks separated by slashes, e.g. "
                  + FASHION_MNIST);
        }
      }
      tasks.add(classes);
    }
    return new TaskSplit(tasks);
  }

  /** Every class of every task. */
  Set<Integer> classes() {
    return tasks.stream().flatMap(List::stream).collect(Collectors.toSet());
  }

  /**
   * Classes of the largest task: the hypernetwork's outputs per task (a smaller task leaves the
   * last outputs unused by its labels).
   */
  int maxClassesPerTask() {
    return tasks.stream().mapToInt(List::size).max().orElseThrow();
  }

  /** Stream options over this split, tasks in split order. */
  SplitTaskStream.Options stream(long shuffleSeed, int batchSize, int subjects) {
    List<Integer> order = java.util.stream.IntStream.range(0, tasks.size()).boxed().toList();
    return new SplitTaskStream.Options(tasks, order, shuffleSeed, batchSize, subjects);
  }

  /** The split in {@link #parse} syntax. */
  @Override
  public String toString() {
    return tasks.stream().map(TaskSplit::text).collect(Collectors.joining("/"));
  }

  private static String text(List<Integer> task) {
    return task.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** picocli's converter for {@code --tasks}. */
  static final class Converter implements ITypeConverter<TaskSplit> {
    @Override
    public TaskSplit convert(String text) {
      try {
        return parse(text);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
