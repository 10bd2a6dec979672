package io.lethe.learners.hypernet;

import io.lethe.learners.settings.SettingDef;
import io.lethe.records.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shapes that scoring needs: the chunked hypernetwork (von Oswald et al. 2020, "chunked
 * hypernetworks") and the target MLP it generates, written to and read from a snapshot's ordered
 * scoring settings.
 *
 * <p>The target network's flattened weights are laid out layer by layer, each layer's weight
 * ({@code inputs x outputs}, row-major) followed by its bias. Deviation from the papers: each
 * generated layer is multiplied by the fixed constant 1/sqrt(fan-in) before use, so that a
 * hypernetwork output of unit scale (its initial scale, and the scale of the N(0, I) noise targets
 * of erasure) is a LeCun-scaled layer; the regulariser and noise act on the unscaled outputs.
 *
 * @param inputs features per sample
 * @param targetHidden hidden layer sizes of the target MLP
 * @param classesPerTask output units of the target MLP (classes per task)
 * @param taskEmbeddingDim size of a task embedding
 * @param chunkEmbeddingDim size of a chunk embedding
 * @param chunkSize target weights per chunk
 * @param trunkHidden hidden sizes of the hypernetwork trunk
 */
public record HypernetArchitecture(
    int inputs,
    List<Integer> targetHidden,
    int classesPerTask,
    int taskEmbeddingDim,
    int chunkEmbeddingDim,
    int chunkSize,
    List<Integer> trunkHidden) {

  /** Snapshot key (not a setting): the scaling rule applied to generated layers. */
  public static final String WEIGHT_SCALING = "weight-scaling";

  /** The settings a snapshot carries, under their declared keys, in this order. */
  public static final List<SettingDef<?>> SCORING_SETTINGS =
      List.of(
          HypernetSettings.TASK_EMBEDDING_DIM,
          HypernetSettings.CHUNK_EMBEDDING_DIM,
          HypernetSettings.CHUNK_SIZE,
          HypernetSettings.TRUNK_HIDDEN,
          HypernetSettings.INPUTS,
          HypernetSettings.TARGET_HIDDEN,
          HypernetSettings.CLASSES_PER_TASK);

  /** The only scaling rule this code implements. */
  public static final String FAN_IN_SCALING = "1/sqrt(fan-in)";

  /** Copies the lists; settings validation has already checked the values. */
  public HypernetArchitecture {
    targetHidden = List.copyOf(targetHidden);
    trunkHidden = List.copyOf(trunkHidden);
  }

  /** One layer of the target MLP and where its weight and bias sit in the flattened vector. */
  public record TargetLayer(int inputs, int outputs, int weightOffset, int biasOffset) {

    /** The fixed factor applied to this generated layer: 1/sqrt(fan-in). */
    public float scale() {
      return (float) (1.0 / Math.sqrt(inputs));
    }
  }

  /** The target MLP's layers, input to output; the last one produces the class scores. */
  public List<TargetLayer> targetLayers() {
    List<TargetLayer> layers = new ArrayList<>();
    int in = inputs;
    int offset = 0;
    List<Integer> outs = new ArrayList<>(targetHidden);
    outs.add(classesPerTask);
    for (int out : outs) {
      layers.add(new TargetLayer(in, out, offset, offset + in * out));
      offset += in * out + out;
      in = out;
    }
    return List.copyOf(layers);
  }

  /** Number of target-network weights the hypernetwork generates per task. */
  public int targetParameterCount() {
    TargetLayer last = targetLayers().get(targetLayers().size() - 1);
    return last.biasOffset() + last.outputs();
  }

  /** Number of chunks, hence of chunk embeddings: ceil(target weights / chunk size). */
  public int chunkCount() {
    return (targetParameterCount() + chunkSize - 1) / chunkSize;
  }

  /** Input width of the hypernetwork trunk: task embedding followed by chunk embedding. */
  public int hypernetInputs() {
    return taskEmbeddingDim + chunkEmbeddingDim;
  }

  /** The architecture as ordered scoring settings. */
  public List<Setting> toScoringSettings() {
    return List.of(
        setting(HypernetSettings.TASK_EMBEDDING_DIM, taskEmbeddingDim),
        setting(HypernetSettings.CHUNK_EMBEDDING_DIM, chunkEmbeddingDim),
        setting(HypernetSettings.CHUNK_SIZE, chunkSize),
        setting(HypernetSettings.TRUNK_HIDDEN, trunkHidden),
        setting(HypernetSettings.INPUTS, inputs),
        setting(HypernetSettings.TARGET_HIDDEN, targetHidden),
        setting(HypernetSettings.CLASSES_PER_TASK, classesPerTask),
        new Setting(WEIGHT_SCALING, FAN_IN_SCALING));
  }

  /**
   * Reads the architecture from a snapshot's scoring settings.
   *
   * @throws IllegalArgumentException naming a missing or malformed key
   */
  public static HypernetArchitecture fromScoringSettings(Map<String, String> settings) {
    String scaling = required(settings, WEIGHT_SCALING);
    if (!FAN_IN_SCALING.equals(scaling)) {
      throw new IllegalArgumentException(
          "snapshot setting " + WEIGHT_SCALING + " = " + scaling + "; expected " + FAN_IN_SCALING);
    }
    return new HypernetArchitecture(
        read(settings, HypernetSettings.INPUTS),
        read(settings, HypernetSettings.TARGET_HIDDEN),
        read(settings, HypernetSettings.CLASSES_PER_TASK),
        read(settings, HypernetSettings.TASK_EMBEDDING_DIM),
        read(settings, HypernetSettings.CHUNK_EMBEDDING_DIM),
        read(settings, HypernetSettings.CHUNK_SIZE),
        read(settings, HypernetSettings.TRUNK_HIDDEN));
  }

  private static <T> Setting setting(SettingDef<T> def, T value) {
    return new Setting(def.key(), def.format(value));
  }

  private static String required(Map<String, String> settings, String key) {
    String value = settings.get(key);
    if (value == null) {
      throw new IllegalArgumentException("snapshot lacks scoring setting " + key);
    }
    return value;
  }

  private static <T> T read(Map<String, String> settings, SettingDef<T> def) {
    return def.parse("snapshot setting ", required(settings, def.key()));
  }
}
