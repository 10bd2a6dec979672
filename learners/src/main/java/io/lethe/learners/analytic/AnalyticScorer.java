package io.lethe.learners.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.internal.Torch;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores with one version of an analytic model: argmax over classes of ReLU(x W_B) W (ACIL eq. 5
 * and 13). The learner predicts through this same class, so a scorer decoded from a snapshot gives
 * bit-identical scores for the same batch. (Scores for one row can differ in the last bits between
 * batch sizes, because BLAS may pick another kernel; labels practically never do.) A model service
 * may compute the buffer layer in float32 instead ({@link BufferPrecision}).
 */
public final class AnalyticScorer implements Scorer {
  private final NDManager manager;
  private final BufferLayer buffer;
  private final BufferLayers.Lease sharedBuffer;
  private final NDArray head;
  private final List<Integer> classes;

  /**
   * Builds a scorer that owns its native memory.
   *
   * @param bufferSeed seed of W_B
   * @param inputDim d_in
   * @param weights the head W (d_E x classes), see {@link HeadWeights}
   */
  public AnalyticScorer(long bufferSeed, int inputDim, HeadWeights weights) {
    this(bufferSeed, inputDim, weights, BufferPrecision.FLOAT64);
  }

  /**
   * Builds a scorer that owns its native memory and computes the buffer layer in {@code precision}
   * (the head in float64).
   */
  public AnalyticScorer(
      long bufferSeed, int inputDim, HeadWeights weights, BufferPrecision precision) {
    Torch.noGradOnThisThread();
    this.manager = NDManager.newBaseManager();
    this.buffer = BufferLayer.create(manager, bufferSeed, inputDim, weights.rows(), precision);
    this.sharedBuffer = null;
    this.head =
        manager.create(weights.values(), new Shape(weights.rows(), weights.classes().size()));
    this.classes = weights.classes();
  }

  /**
   * Builds a scorer whose buffer layer is shared through {@code layers} (in their precision) with
   * other scorers of the same seed and sizes; the head is its own.
   */
  public AnalyticScorer(BufferLayers layers, long bufferSeed, int inputDim, HeadWeights weights) {
    Torch.noGradOnThisThread();
    this.sharedBuffer = layers.lease(bufferSeed, inputDim, weights.rows());
    try {
      this.manager = NDManager.newBaseManager();
      this.buffer = sharedBuffer.layer();
      this.head =
          manager.create(weights.values(), new Shape(weights.rows(), weights.classes().size()));
    } catch (RuntimeException e) {
      sharedBuffer.close();
      throw e;
    }
    this.classes = weights.classes();
  }

  @Override
  public LearnerKind learner() {
    return LearnerKind.ANALYTIC;
  }

  @Override
  public int inputDim() {
    return buffer.inputDim();
  }

  /** None: the analytic model is class-incremental and scores every class at once. */
  @Override
  public List<String> tasks() {
    return List.of();
  }

  @Override
  public List<Integer> classes(String task) {
    requireNoTask(task);
    return classes;
  }

  private static void requireNoTask(String task) {
    if (task != null) {
      throw new IllegalArgumentException(
          "the analytic model is class-incremental and takes no task (got task '" + task + "')");
    }
  }

  /** d_E of the buffer layer. */
  public int bufferSize() {
    return buffer.size();
  }

  /**
   * Whether this scorer's buffer layer was already in use by another scorer when it was built
   * ({@link BufferLayers}): its weights are then set up and cached, and only the head is new.
   */
  public boolean sharesWarmBufferLayer() {
    return sharedBuffer != null && sharedBuffer.wasShared();
  }

  /** The precision of the buffer layer. */
  public BufferPrecision bufferPrecision() {
    return buffer.precision();
  }

  /** Seed of the buffer layer. */
  public long bufferSeed() {
    return buffer.seed();
  }

  @Override
  public List<Prediction> predict(String task, float[][] rows) {
    requireNoTask(task);
    Torch.noGradOnThisThread();
    if (classes.isEmpty()) {
      throw new IllegalStateException(
          "the model has no classes: nothing learned, or all of it erased");
    }
    double[] scores;
    try (NDManager batch = manager.newSubManager()) {
      NDArray features = buffer.features(buffer.input(batch, rows));
      if (features.getDataType() != DataType.FLOAT64) {
        features = features.toType(DataType.FLOAT64, false);
      }
      scores = features.matMul(head).toDoubleArray();
    }
    int k = classes.size();
    List<Prediction> predictions = new ArrayList<>(rows.length);
    for (int r = 0; r < rows.length; r++) {
      double[] row = Arrays.copyOfRange(scores, r * k, (r + 1) * k);
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (row[c] > row[best]) {
          best = c;
        }
      }
      predictions.add(new Prediction(classes.get(best), row[best], row));
    }
    return predictions;
  }

  @Override
  public void close() {
    manager.close();
    if (sharedBuffer != null) {
      sharedBuffer.close();
    }
  }
}
