package io.lethe.learners.hypernet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.lethe.learners.hypernet.internal.DenseLayer;
import io.lethe.learners.hypernet.internal.HypernetForward;
import io.lethe.records.ModelSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores samples with a hypernetwork snapshot and nothing else: it regenerates each task's target
 * MLP once from the snapshot's hypernetwork and task embeddings (von Oswald et al., "Continual
 * learning with hypernetworks", ICLR 2020), then answers class probabilities per task
 * (task-incremental: the caller names the task).
 *
 * <p>It uses the same forward code as {@link HypernetLearner}, so a decoded snapshot scores exactly
 * as the live learner did. Scoring calls only read the generated weights; each call works in its
 * own sub-manager. Close it to free the native memory.
 */
public final class HypernetScorer implements AutoCloseable {

  private final NDManager manager;
  private final String model;
  private final long version;
  private final HypernetArchitecture architecture;
  private final Map<String, List<DenseLayer>> targets;

  private HypernetScorer(
      NDManager manager,
      String model,
      long version,
      HypernetArchitecture architecture,
      Map<String, List<DenseLayer>> targets) {
    this.manager = manager;
    this.model = model;
    this.version = version;
    this.architecture = architecture;
    this.targets = targets;
  }

  /** Builds a scorer on the CPU. */
  public static HypernetScorer fromSnapshot(ModelSnapshot snapshot) {
    return fromSnapshot(snapshot, Device.cpu());
  }

  /**
   * Builds a scorer on {@code device}, generating every active task's target network.
   *
   * @throws IllegalArgumentException if the snapshot is not a valid hypernetwork snapshot
   */
  public static HypernetScorer fromSnapshot(ModelSnapshot snapshot, Device device) {
    NDManager manager = NDManager.newBaseManager(device);
    try {
      HypernetSnapshots.Contents contents = HypernetSnapshots.read(snapshot, manager);
      Map<String, List<DenseLayer>> targets = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> task : contents.taskEmbeddings().entrySet()) {
        NDArray generated =
            HypernetForward.generate(
                contents.architecture(),
                contents.phi(),
                contents.chunkEmbeddings(),
                task.getValue().expandDims(0));
        targets.put(
            task.getKey(), HypernetForward.targetLayers(contents.architecture(), generated.get(0)));
      }
      return new HypernetScorer(
          manager, snapshot.getModel(), snapshot.getVersion(), contents.architecture(), targets);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Model name of the snapshot. */
  public String model() {
    return model;
  }

  /** Version of the snapshot. */
  public long version() {
    return version;
  }

  /** The architecture read from the snapshot. */
  public HypernetArchitecture architecture() {
    return architecture;
  }

  /** Tasks this snapshot can score, in task order (erased tasks are absent). */
  public List<String> tasks() {
    return List.copyOf(targets.keySet());
  }

  /**
   * Class probabilities, one row per sample, {@code classesPerTask} columns.
   *
   * @throws IllegalArgumentException for an unknown task or a sample of the wrong width
   */
  public float[][] scores(String task, float[][] x) {
    List<DenseLayer> layers = targets.get(task);
    if (layers == null) {
      throw new IllegalArgumentException(
          "model " + model + " v" + version + " has no task '" + task + "'; tasks: " + tasks());
    }
    Inputs.requireFeatures(model, task, x, architecture.inputs());
    try (NDManager call = manager.newSubManager()) {
      NDArray logits = HypernetForward.targetLogits(call.create(x), layers);
      return Inputs.rows(logits.softmax(1).toFloatArray(), x.length);
    }
  }

  /** The most probable class of each sample (ties go to the lower class). */
  public int[] predict(String task, float[][] x) {
    return Inputs.argMax(scores(task, x));
  }

  @Override
  public void close() {
    manager.close();
  }
}
