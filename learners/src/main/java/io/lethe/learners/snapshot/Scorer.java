package io.lethe.learners.snapshot;

import io.lethe.records.LearnerKind;
import java.util.List;

/**
 * Turns feature vectors into predictions with one fixed model version; what the model service holds
 * and hot-swaps. Implementations are built from a {@link io.lethe.records.ModelSnapshot} by {@link
 * Scorers#fromSnapshot} and hold native memory, so they must be closed.
 *
 * <p>Thread safety: a scorer may be used from several threads at once; each call sets PyTorch's
 * per-thread grad mode itself.
 */
public interface Scorer extends AutoCloseable {

  /** Learning method of the model. */
  LearnerKind learner();

  /** Number of input features expected per sample. */
  int inputDim();

  /** Class labels this model can predict, in the order of its output columns. */
  List<Integer> classes();

  /**
   * Scores a batch (one row per sample).
   *
   * @throws IllegalArgumentException naming the row if a row has the wrong length or a non-finite
   *     value
   */
  List<Prediction> predict(float[][] rows);

  /** Predicted labels of a batch, in row order. */
  default int[] predictLabels(float[][] rows) {
    return predict(rows).stream().mapToInt(Prediction::label).toArray();
  }

  /** Releases native memory. */
  @Override
  void close();
}
