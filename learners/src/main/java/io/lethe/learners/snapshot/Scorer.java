package io.lethe.learners.snapshot;

import io.lethe.records.LearnerKind;
import java.util.List;

/**
 * Turns feature vectors into predictions with one fixed model version; what the model service holds
 * and hot-swaps. Implementations are built from a {@link io.lethe.records.ModelSnapshot} by {@link
 * Scorers#fromSnapshot} and hold native memory, so they must be closed.
 *
 * <p>A class-incremental model (the analytic learner) scores every class it knows at once and takes
 * no task; a task-incremental model (the hypernetwork learner) scores only the classes of the task
 * the caller names, and {@link #tasks()} lists the tasks it can score.
 *
 * <p>Thread safety: a scorer may be used from several threads at once; each call sets PyTorch's
 * per-thread grad mode itself.
 */
public interface Scorer extends AutoCloseable {

  /** Learning method of the model. */
  LearnerKind learner();

  /** Number of input features expected per sample. */
  int inputDim();

  /**
   * Tasks the caller must choose from, in task order; empty for a class-incremental model, which
   * takes no task.
   */
  List<String> tasks();

  /** Whether predictions need a task (the model is task-incremental). */
  default boolean needsTask() {
    return !tasks().isEmpty();
  }

  /**
   * Class labels scored for {@code task} ({@code null} for a class-incremental model), in the order
   * of {@link Prediction#scores()}.
   *
   * @throws IllegalArgumentException for a task the model does not know, a missing task on a
   *     task-incremental model, or a task given to a class-incremental one
   */
  List<Integer> classes(String task);

  /**
   * Whether the model scores nothing: no task and no class, because nothing was learned or all of
   * it has been erased. Such a version is still published, so that erasure receipts can name it;
   * {@link #predict} then throws {@link IllegalStateException}.
   */
  default boolean isEmpty() {
    return tasks().isEmpty() && classes().isEmpty();
  }

  /** Class labels of a class-incremental model; see {@link #classes(String)}. */
  default List<Integer> classes() {
    return classes(null);
  }

  /**
   * Scores a batch (one row per sample) of one task ({@code null} for a class-incremental model).
   *
   * @throws IllegalArgumentException naming the row if a row has the wrong length or a non-finite
   *     value, or, as {@link #classes(String)}, for a bad task
   */
  List<Prediction> predict(String task, float[][] rows);

  /** Scores a batch of a class-incremental model; see {@link #predict(String, float[][])}. */
  default List<Prediction> predict(float[][] rows) {
    return predict(null, rows);
  }

  /** Predicted labels of a batch of a class-incremental model, in row order. */
  default int[] predictLabels(float[][] rows) {
    return predict(rows).stream().mapToInt(Prediction::label).toArray();
  }

  /** Releases native memory. */
  @Override
  void close();
}
