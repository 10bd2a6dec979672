package io.lethe.learners.hypernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.hypernet.internal.HypernetForward;
import io.lethe.learners.hypernet.internal.HypernetForward.ParameterShape;
import io.lethe.learners.hypernet.internal.TensorCodec;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.learners.snapshot.SnapshotSettings;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot layout of the hypernetwork learner, in one place for writing (learner) and reading
 * (learner and scorer).
 *
 * <p>Tensors, in this order: {@code hypernet.chunkEmbeddings}, the trunk's weights and biases, the
 * head's weight and bias, then {@code task.<i>.embedding} for each active task i. Scoring settings:
 * the architecture ({@link HypernetArchitecture#toScoringSettings()}), then {@value #TASK_COUNT}
 * and {@code task.<i>.id}. The checksum is left empty for the shared snapshot checksum to fill.
 */
final class HypernetSnapshots {

  /** Snapshot key (not a setting): the number of active tasks. */
  static final String TASK_COUNT = "task-count";

  /** The snapshot keys that are not settings; {@code task.<i>.id} follows for each task. */
  static final List<String> LAYOUT_KEYS = List.of(HypernetArchitecture.WEIGHT_SCALING, TASK_COUNT);

  private HypernetSnapshots() {}

  /**
   * A snapshot's contents as arrays of one manager.
   *
   * @param architecture shapes of hypernetwork and target
   * @param phi hypernetwork parameters by name, in their fixed order
   * @param chunkEmbeddings fixed chunk embeddings
   * @param taskEmbeddings embeddings of the active tasks, in task order
   */
  record Contents(
      HypernetArchitecture architecture,
      Map<String, NDArray> phi,
      NDArray chunkEmbeddings,
      Map<String, NDArray> taskEmbeddings) {}

  static String taskIdKey(int i) {
    return "task." + i + ".id";
  }

  static String taskEmbeddingName(int i) {
    return "task." + i + ".embedding";
  }

  /** Builds the record from already-checked float values. */
  static ModelSnapshot write(
      SnapshotHeader header,
      HypernetArchitecture arch,
      Map<String, float[]> phi,
      float[] chunkEmbeddings,
      Map<String, float[]> taskEmbeddings,
      Map<String, Long> samplesPerTask,
      List<String> erasedTasks) {
    List<Tensor> tensors = new ArrayList<>();
    tensors.add(
        TensorCodec.encode(HypernetForward.CHUNK_EMBEDDINGS, chunkShape(arch), chunkEmbeddings));
    for (ParameterShape p : HypernetForward.parameterShapes(arch)) {
      tensors.add(TensorCodec.encode(p.name(), p.shape(), phi.get(p.name())));
    }
    List<Setting> scoring = new ArrayList<>(arch.toScoringSettings());
    scoring.add(setting(TASK_COUNT, String.valueOf(taskEmbeddings.size())));
    List<TaskSamples> samples = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, float[]> task : taskEmbeddings.entrySet()) {
      tensors.add(TensorCodec.encode(taskEmbeddingName(i), embeddingShape(arch), task.getValue()));
      scoring.add(setting(taskIdKey(i), task.getKey()));
      samples.add(
          TaskSamples.newBuilder()
              .setTask(task.getKey())
              .setSamples(samplesPerTask.getOrDefault(task.getKey(), 0L))
              .build());
      i++;
    }
    SnapshotLineage lineage =
        SnapshotLineage.newBuilder()
            .setPreviousVersion(header.previousVersion())
            .setSamplesPerTask(samples)
            .setErasedTasks(List.copyOf(erasedTasks))
            .setErasuresReflected(header.erasuresReflected())
            .build();
    return ModelSnapshot.newBuilder()
        .setModel(header.model())
        .setLearner(LearnerKind.HYPERNETWORK)
        .setVersion(header.version())
        .setCreatedAt(header.createdAt())
        .setTensors(tensors)
        .setScoring(scoring)
        .setLineage(lineage)
        .setChecksum("")
        .build();
  }

  /**
   * Reads and checks a snapshot into arrays of {@code manager}.
   *
   * @throws IllegalArgumentException naming what is missing or malformed
   */
  static Contents read(ModelSnapshot snapshot, NDManager manager) {
    if (snapshot.getLearner() != LearnerKind.HYPERNETWORK) {
      throw new IllegalArgumentException(
          "snapshot "
              + snapshot.getModel()
              + " v"
              + snapshot.getVersion()
              + " was made by the "
              + snapshot.getLearner()
              + " learner, not HYPERNETWORK");
    }
    Map<String, String> settings = SnapshotSettings.read(snapshot.getScoring());
    HypernetArchitecture arch = HypernetArchitecture.fromScoringSettings(settings);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Tensor t : snapshot.getTensors()) {
      tensors.put(t.getName(), t);
    }
    NDArray chunks =
        TensorCodec.decode(
            tensor(tensors, HypernetForward.CHUNK_EMBEDDINGS), chunkShape(arch), manager);
    Map<String, NDArray> phi = new LinkedHashMap<>();
    for (ParameterShape p : HypernetForward.parameterShapes(arch)) {
      phi.put(p.name(), TensorCodec.decode(tensor(tensors, p.name()), p.shape(), manager));
    }
    String countText = settings.get(TASK_COUNT);
    if (countText == null || !countText.matches("\\d+")) {
      throw new IllegalArgumentException(
          "snapshot setting " + TASK_COUNT + " = " + countText + " is not a task count");
    }
    int count = Integer.parseInt(countText);
    Map<String, NDArray> embeddings = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String id = settings.get(taskIdKey(i));
      if (id == null) {
        throw new IllegalArgumentException("snapshot lacks scoring setting " + taskIdKey(i));
      }
      embeddings.put(
          id,
          TensorCodec.decode(tensor(tensors, taskEmbeddingName(i)), embeddingShape(arch), manager));
    }
    return new Contents(arch, phi, chunks, embeddings);
  }

  static Shape chunkShape(HypernetArchitecture arch) {
    return new Shape(arch.chunkCount(), arch.chunkEmbeddingDim());
  }

  static Shape embeddingShape(HypernetArchitecture arch) {
    return new Shape(arch.taskEmbeddingDim());
  }

  private static Tensor tensor(Map<String, Tensor> tensors, String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("snapshot lacks tensor " + name);
    }
    return t;
  }

  private static Setting setting(String key, String value) {
    return Setting.newBuilder().setKey(key).setValue(value).build();
  }
}
