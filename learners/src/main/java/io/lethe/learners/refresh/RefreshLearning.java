package io.lethe.learners.refresh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unlearn half of refresh learning (Wang et al., "A Unified and General Framework for Continual
 * Learning", ICLR 2024: the Fisher-damped, noisy gradient-ascent step): a plug-in that, before a
 * gradient learner's normal step on a batch, pushes each tensor up the batch loss by a step
 * rescaled to that tensor's norm, damped elementwise by the Fisher of the last finished task, with
 * a little Gaussian noise.
 *
 * <p>Deviations from the paper: the Fisher is estimated from squared mini-batch gradients (each
 * scaled by the batch size) over the samples the learner still holds at the end of a task (its
 * bounded window), not from per-sample gradients over the whole task; the noise is drawn from the
 * engine's generator, not a seeded Java one.
 *
 * <p>Not thread-safe: one learner owns one instance. Call {@link #close()} to free the Fisher.
 */
public final class RefreshLearning implements AutoCloseable {

  private final RefreshSettings settings;
  private final NDManager manager;
  private final Map<String, NDArray> fisher = new LinkedHashMap<>();

  /**
   * Creates the plug-in; the Fisher it keeps lives in a sub-manager of {@code parent}.
   *
   * @param settings validated settings
   * @param parent manager whose device holds the Fisher
   */
  public RefreshLearning(RefreshSettings settings, NDManager parent) {
    this.settings = settings;
    this.manager = parent.newSubManager();
  }

  /** The settings this plug-in runs with. */
  public RefreshSettings settings() {
    return settings;
  }

  /** Whether the unlearn step should run before the normal step with this 0-based index. */
  public boolean isDue(long normalStepIndex) {
    return settings.enabled() && normalStepIndex % settings.interval() == 0;
  }

  /** Whether a Fisher has been absorbed for the tensor with this name. */
  public boolean hasFisher(String name) {
    return fisher.containsKey(name);
  }

  /**
   * Adds the Fisher diagonal of a task that just finished: {@code F = fisherDecay * F_old + F_new},
   * tensor by tensor. The arrays are copied; the caller keeps ownership of {@code newFisher}.
   */
  public void absorbFisher(Map<String, NDArray> newFisher) {
    for (Map.Entry<String, NDArray> entry : newFisher.entrySet()) {
      NDArray fresh = manager.zeros(entry.getValue().getShape());
      fresh.addi(entry.getValue());
      NDArray old = fisher.get(entry.getKey());
      if (old != null) {
        old.muli((float) settings.fisherDecay()).addi(fresh);
        fresh.close();
      } else {
        fisher.put(entry.getKey(), fresh);
      }
    }
  }

  /**
   * Computes the unlearn step: for each named tensor theta with batch-loss gradient g, the change
   * {@code unlearnRate * (g * |theta| / |g| + noiseScale * xi) / (1 + fisherDamping * F)}, with F =
   * 0 where no Fisher is known; the caller adds it to theta (gradient ascent). A tensor whose
   * gradient or value is zero gets no change (it is absent from the result). All results and
   * temporaries live in {@code scratch}, which the caller closes.
   *
   * @param parameters the learner's current tensors (read only)
   * @param gradients gradients of the batch loss, by the same names
   * @param scratch manager for the results and temporaries
   * @return the change of each tensor, by name, in the order of {@code parameters}
   */
  public Map<String, NDArray> unlearnChanges(
      Map<String, NDArray> parameters, Map<String, NDArray> gradients, NDManager scratch) {
    Map<String, NDArray> changes = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      NDArray gradient = gradients.get(entry.getKey());
      if (gradient == null) {
        continue;
      }
      NDArray theta = entry.getValue();
      NDArray change = scratch.zeros(gradient.getShape()).addi(gradient);
      float gradientNorm = (float) Math.sqrt(change.square().sum().getFloat());
      float thetaNorm = (float) Math.sqrt(valueSquaredNorm(theta, scratch));
      if (gradientNorm == 0f || thetaNorm == 0f) {
        continue;
      }
      change.muli(thetaNorm / gradientNorm);
      if (settings.noiseScale() > 0) {
        NDArray noise = scratch.randomNormal(theta.getShape());
        change.addi(noise.muli((float) settings.noiseScale()));
      }
      change.muli((float) settings.unlearnRate());
      NDArray f = fisher.get(entry.getKey());
      if (f != null && settings.fisherDamping() > 0) {
        NDArray damping =
            scratch.zeros(f.getShape()).addi(f).muli((float) settings.fisherDamping());
        change.divi(damping.addi(1f));
      }
      changes.put(entry.getKey(), change);
    }
    return changes;
  }

  private static float valueSquaredNorm(NDArray theta, NDManager scratch) {
    NDArray copy = scratch.zeros(theta.getShape()).addi(theta);
    return copy.square().sum().getFloat();
  }

  @Override
  public void close() {
    fisher.clear();
    manager.close();
  }
}
