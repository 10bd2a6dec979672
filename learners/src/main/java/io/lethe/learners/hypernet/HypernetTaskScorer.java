package io.lethe.learners.hypernet;

import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A hypernetwork snapshot as a {@link Scorer}: {@link HypernetScorer} for the probabilities, plus
 * the mapping from each task's output units to the dataset's class labels.
 *
 * <p>The learner numbers classes within a task (0..classesPerTask-1). Whoever learns from a dataset
 * with global labels (the learner job) publishes, per task, the global label of each output unit as
 * the scoring setting {@link #taskClassesKey(String) task.&lt;id&gt;.classes} ("4,5"); a task
 * without that setting predicts its task-local labels.
 */
public final class HypernetTaskScorer implements Scorer {
  private final HypernetScorer scorer;
  private final Map<String, List<Integer>> classesByTask;

  private HypernetTaskScorer(HypernetScorer scorer, Map<String, List<Integer>> classesByTask) {
    this.scorer = scorer;
    this.classesByTask = classesByTask;
  }

  /** Scoring-setting key of a task's global class labels. */
  public static String taskClassesKey(String task) {
    return "task." + task + ".classes";
  }

  /**
   * Builds the scorer, generating every task's target network.
   *
   * @throws IllegalArgumentException if the snapshot is not a valid hypernetwork snapshot or a
   *     task's class list does not have one label per output unit
   */
  public static HypernetTaskScorer fromSnapshot(ModelSnapshot snapshot) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (Setting setting : snapshot.getScoring()) {
      settings.put(setting.getKey(), setting.getValue());
    }
    HypernetScorer scorer = HypernetScorer.fromSnapshot(snapshot);
    try {
      int units = scorer.architecture().classesPerTask();
      Map<String, List<Integer>> classesByTask = new LinkedHashMap<>();
      for (String task : scorer.tasks()) {
        classesByTask.put(task, taskClasses(snapshot, settings, task, units));
      }
      return new HypernetTaskScorer(scorer, classesByTask);
    } catch (RuntimeException e) {
      scorer.close();
      throw e;
    }
  }

  private static List<Integer> taskClasses(
      ModelSnapshot snapshot, Map<String, String> settings, String task, int units) {
    String text = settings.get(taskClassesKey(task));
    if (text == null) {
      return IntStream.range(0, units).boxed().toList();
    }
    List<Integer> classes = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      try {
        classes.add(Integer.valueOf(part.trim()));
      } catch (NumberFormatException e) {
        classes.clear();
        break;
      }
    }
    // a task may have seen fewer classes than it has output units, never more
    if (classes.isEmpty() || classes.size() > units) {
      throw new IllegalArgumentException(
          "snapshot "
              + snapshot.getModel()
              + " v"
              + snapshot.getVersion()
              + ": setting "
              + taskClassesKey(task)
              + " = '"
              + text
              + "' is not a list of at most "
              + units
              + " class labels");
    }
    return List.copyOf(classes);
  }

  @Override
  public LearnerKind learner() {
    return LearnerKind.HYPERNETWORK;
  }

  @Override
  public int inputDim() {
    return scorer.architecture().inputs();
  }

  @Override
  public List<String> tasks() {
    return scorer.tasks();
  }

  /** No task left (a task-incremental model takes no class-incremental query). */
  @Override
  public boolean isEmpty() {
    return tasks().isEmpty();
  }

  @Override
  public List<Integer> classes(String task) {
    if (task == null) {
      throw new IllegalArgumentException(
          "the hypernetwork model is task-incremental: name the task, one of " + tasks());
    }
    List<Integer> classes = classesByTask.get(task);
    if (classes == null) {
      throw new IllegalArgumentException("unknown task '" + task + "'; tasks: " + tasks());
    }
    return classes;
  }

  /**
   * Class probabilities of the task's known classes (output units that never saw a class are left
   * out); the label is the most probable of them.
   */
  @Override
  public List<Prediction> predict(String task, float[][] rows) {
    List<Integer> classes = classes(task);
    float[][] probabilities = scorer.scores(task, rows);
    List<Prediction> predictions = new ArrayList<>(rows.length);
    for (float[] row : probabilities) {
      double[] scores = new double[classes.size()];
      int best = 0;
      for (int c = 0; c < scores.length; c++) {
        scores[c] = row[c];
        if (scores[c] > scores[best]) {
          best = c;
        }
      }
      predictions.add(new Prediction(classes.get(best), scores[best], scores));
    }
    return predictions;
  }

  @Override
  public void close() {
    scorer.close();
  }
}
