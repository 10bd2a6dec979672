package io.lethe.learners.hypernet.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1) with global gradient-norm clipping, applied in place to
 * named tensors; one instance per learning or erasure operation (the papers' code also starts a
 * fresh optimizer per task).
 */
public final class Adam implements AutoCloseable {

  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final NDManager manager;
  private final float learningRate;
  private final double clipNorm;
  private final Map<String, NDArray> firstMoments = new HashMap<>();
  private final Map<String, NDArray> secondMoments = new HashMap<>();
  private int steps;

  /** Creates the optimizer; its moments live in a sub-manager of {@code parent}. */
  public Adam(NDManager parent, double learningRate, double clipNorm) {
    this.manager = parent.newSubManager();
    this.learningRate = (float) learningRate;
    this.clipNorm = clipNorm;
  }

  /**
   * Clips the gradients to a global norm of at most {@code clipNorm}, then updates each named
   * parameter in place.
   *
   * @param parameters tensors to update (must not require gradients)
   * @param gradients their gradients, in {@code scratch}
   * @param scratch manager for temporaries, closed by the caller
   * @return the global gradient norm before clipping
   */
  public double step(
      Map<String, NDArray> parameters, Map<String, NDArray> gradients, NDManager scratch) {
    double squared = 0;
    for (NDArray gradient : gradients.values()) {
      squared += gradient.square().sum().getFloat();
    }
    double norm = Math.sqrt(squared);
    float clip = norm > clipNorm ? (float) (clipNorm / norm) : 1f;
    steps++;
    float correction1 = (float) (1 - Math.pow(BETA1, steps));
    float correction2 = (float) (1 - Math.pow(BETA2, steps));
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      NDArray gradient = gradients.get(entry.getKey()).mul(clip);
      NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(gradient));
      NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(gradient));
      m.muli(BETA1).addi(gradient.mul(1 - BETA1));
      v.muli(BETA2).addi(gradient.square().muli(1 - BETA2));
      // Copy the moments into scratch first: a result lives with its first operand's manager.
      NDArray denominator = scratch.zeros(v.getShape()).addi(v).divi(correction2).sqrt();
      denominator.addi(EPSILON);
      NDArray update = scratch.zeros(m.getShape()).addi(m);
      update.muli(learningRate / correction1).divi(denominator);
      entry.getValue().subi(update);
    }
    return norm;
  }

  private NDArray zerosLike(NDArray like) {
    return manager.zeros(like.getShape(), like.getDataType());
  }

  @Override
  public void close() {
    manager.close();
  }
}
