package io.lethe.learners.hypernet.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.lethe.learners.hypernet.HypernetArchitecture;
import io.lethe.learners.hypernet.HypernetArchitecture.TargetLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward passes shared by the learner and the scorer, so that both compute the same numbers
 * with the same operations: the chunked hypernetwork H(e, c_k; phi) (von Oswald et al. 2020, with
 * chunking) and the generated target MLP.
 *
 * <p>Every result is attached to the manager of the first operand of each operation; callers pass
 * arrays that live in (or are temporarily attached to) one step manager.
 */
public final class HypernetForward {

  private HypernetForward() {}

  /** Name of the i-th trunk layer's weight in the parameter map and in snapshots. */
  public static String trunkWeight(int i) {
    return "hypernet.trunk." + i + ".weight";
  }

  /** Name of the i-th trunk layer's bias. */
  public static String trunkBias(int i) {
    return "hypernet.trunk." + i + ".bias";
  }

  /** Name of the output layer's weight. */
  public static final String HEAD_WEIGHT = "hypernet.head.weight";

  /** Name of the output layer's bias. */
  public static final String HEAD_BIAS = "hypernet.head.bias";

  /** Name of the fixed chunk-embedding matrix. */
  public static final String CHUNK_EMBEDDINGS = "hypernet.chunkEmbeddings";

  /** Parameter names in their fixed order, with their shapes and places in the flat vector. */
  public static List<ParameterShape> parameterShapes(HypernetArchitecture arch) {
    List<ParameterShape> shapes = new ArrayList<>();
    int in = arch.hypernetInputs();
    int offset = 0;
    for (int i = 0; i < arch.trunkHidden().size(); i++) {
      int out = arch.trunkHidden().get(i);
      shapes.add(new ParameterShape(trunkWeight(i), new Shape(in, out), in, offset));
      offset += in * out;
      shapes.add(new ParameterShape(trunkBias(i), new Shape(out), 0, offset));
      offset += out;
      in = out;
    }
    shapes.add(new ParameterShape(HEAD_WEIGHT, new Shape(in, arch.chunkSize()), in, offset));
    offset += in * arch.chunkSize();
    shapes.add(new ParameterShape(HEAD_BIAS, new Shape(arch.chunkSize()), 0, offset));
    return List.copyOf(shapes);
  }

  /** Number of hypernetwork parameters (phi), i.e. the length of the flat parameter vector. */
  public static int parameterCount(HypernetArchitecture arch) {
    List<ParameterShape> shapes = parameterShapes(arch);
    ParameterShape last = shapes.get(shapes.size() - 1);
    return last.offset() + last.size();
  }

  /**
   * A named hypernetwork parameter, its shape and where it sits in the flat parameter vector (the
   * learner keeps phi as one vector so that an optimizer step is a handful of native calls).
   *
   * @param name parameter name
   * @param shape parameter shape
   * @param fanIn inputs of the layer for a weight; 0 for a bias
   * @param offset index of its first element in the flat vector
   */
  public record ParameterShape(String name, Shape shape, int fanIn, int offset) {

    /** Number of elements. */
    public int size() {
      return (int) shape.size();
    }
  }

  /**
   * The named parameters as reshaped slices of the flat vector (results live with {@code flat}).
   */
  public static Map<String, NDArray> views(HypernetArchitecture arch, NDArray flat) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (ParameterShape p : parameterShapes(arch)) {
      out.put(
          p.name(),
          flat.get(new NDIndex("{}:{}", p.offset(), p.offset() + p.size())).reshape(p.shape()));
    }
    return out;
  }

  /**
   * Generates the target weights of several tasks at once.
   *
   * @param arch the architecture
   * @param phi hypernetwork parameters by name
   * @param chunkEmbeddings fixed chunk embeddings, {@code chunks x chunkEmbeddingDim}
   * @param taskEmbeddings one row per task, {@code tasks x taskEmbeddingDim}; first operand of the
   *     computation, so the result lives in its manager
   * @return the flattened target weights, {@code tasks x targetParameterCount}
   */
  public static NDArray generate(
      HypernetArchitecture arch,
      Map<String, NDArray> phi,
      NDArray chunkEmbeddings,
      NDArray taskEmbeddings) {
    long tasks = taskEmbeddings.getShape().get(0);
    int chunks = arch.chunkCount();
    NDArray taskPart =
        taskEmbeddings.expandDims(1).broadcast(new Shape(tasks, chunks, arch.taskEmbeddingDim()));
    NDArray chunkPart =
        chunkEmbeddings.expandDims(0).broadcast(new Shape(tasks, chunks, arch.chunkEmbeddingDim()));
    NDArray h =
        NDArrays.concat(new NDList(taskPart, chunkPart), 2)
            .reshape(tasks * chunks, arch.hypernetInputs());
    for (int i = 0; i < arch.trunkHidden().size(); i++) {
      h = Activation.relu(h.matMul(phi.get(trunkWeight(i))).add(phi.get(trunkBias(i))));
    }
    NDArray out = h.matMul(phi.get(HEAD_WEIGHT)).add(phi.get(HEAD_BIAS));
    return out.reshape(tasks, (long) chunks * arch.chunkSize())
        .get(new NDIndex(":, 0:{}", arch.targetParameterCount()));
  }

  /**
   * Cuts one task's flattened weights into the target MLP's layers and applies the fixed
   * 1/sqrt(fan-in) scale ({@link TargetLayer#scale()}).
   */
  public static List<DenseLayer> targetLayers(HypernetArchitecture arch, NDArray flatWeights) {
    List<DenseLayer> layers = new ArrayList<>();
    for (TargetLayer layer : arch.targetLayers()) {
      NDArray weight =
          flatWeights
              .get(new NDIndex("{}:{}", layer.weightOffset(), layer.biasOffset()))
              .reshape(layer.inputs(), layer.outputs())
              .mul(layer.scale());
      NDArray bias =
          flatWeights
              .get(new NDIndex("{}:{}", layer.biasOffset(), layer.biasOffset() + layer.outputs()))
              .mul(layer.scale());
      layers.add(new DenseLayer(weight, bias));
    }
    return List.copyOf(layers);
  }

  /** Class scores (logits) of the target MLP, ReLU between layers; the result lives with x. */
  public static NDArray targetLogits(NDArray x, List<DenseLayer> layers) {
    NDArray h = x;
    for (int i = 0; i < layers.size(); i++) {
      DenseLayer layer = layers.get(i);
      h = h.matMul(layer.weight()).add(layer.bias());
      if (i < layers.size() - 1) {
        h = Activation.relu(h);
      }
    }
    return h;
  }

  /** Mean cross-entropy of logits against integer labels. */
  public static NDArray crossEntropy(NDArray logits, int[] labels) {
    int classes = (int) logits.getShape().get(1);
    float[] oneHotValues = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      oneHotValues[i * classes + labels[i]] = 1f;
    }
    NDArray oneHot = logits.getManager().create(oneHotValues, new Shape(labels.length, classes));
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
  }
}
