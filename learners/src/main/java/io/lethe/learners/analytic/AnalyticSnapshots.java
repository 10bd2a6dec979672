package io.lethe.learners.analytic;

import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.learners.snapshot.SnapshotSettings;
import io.lethe.learners.snapshot.SnapshotTensors;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes an analytic model into a {@link ModelSnapshot} and decodes one into an {@link
 * AnalyticScorer}.
 *
 * <p>Layout: one tensor {@value #HEAD_TENSOR} (FLOAT64, d_E x classes, row-major little-endian) and
 * the scoring settings, in this order: {@value #PRNG}, the settings {@link #SCORING_SETTINGS} under
 * their declared keys ({@link AnalyticSettings#SEED}, {@link AnalyticSettings#INPUT_DIM}, {@link
 * AnalyticSettings#BUFFER_SIZE}, {@link AnalyticSettings#GAMMA}, the last informational), {@value
 * #CLASSES} (labels of the head's columns) and {@value #TASKS} (retained tasks). W_B is not stored:
 * the scorer rebuilds it from the seed and sizes with the generator named by {@value #PRNG}.
 */
public final class AnalyticSnapshots {
  /** Name of the head tensor W. */
  public static final String HEAD_TENSOR = "head.weight";

  /** Snapshot key (not a setting): the buffer layer's generator and mapping, versioned. */
  public static final String PRNG = "buffer-prng";

  /** Snapshot key (not a setting): class labels of the head's columns, comma-separated. */
  public static final String CLASSES = "classes";

  /** Snapshot key (not a setting): retained tasks, comma-separated. */
  public static final String TASKS = "tasks";

  /** The settings a snapshot carries, under their declared keys. */
  public static final List<SettingDef<?>> SCORING_SETTINGS =
      List.of(
          AnalyticSettings.SEED,
          AnalyticSettings.INPUT_DIM,
          AnalyticSettings.BUFFER_SIZE,
          AnalyticSettings.GAMMA);

  /** The snapshot keys that are not settings. */
  public static final List<String> LAYOUT_KEYS = List.of(PRNG, CLASSES, TASKS);

  /** The only generator version so far: SplitMix64, uniform (2u - 1) / sqrt(d_in), row-major. */
  public static final String PRNG_V1 = "splitmix64-uniform-v1";

  private AnalyticSnapshots() {}

  /**
   * Encodes the model with the header's name, version and lineage, and fills the checksum.
   *
   * @throws io.lethe.learners.snapshot.NonFiniteWeightsException if a weight is NaN or infinite
   */
  public static ModelSnapshot encode(AnalyticModel model, SnapshotHeader header) {
    HeadWeights weights = model.weights();
    Tensor head =
        SnapshotTensors.float64(
            HEAD_TENSOR, weights.values(), weights.rows(), weights.classes().size());
    List<Object> tasks = new ArrayList<>(model.samplesPerTask().keySet());
    SnapshotSettings settings =
        SnapshotSettings.builder()
            .put(PRNG, PRNG_V1)
            .put(AnalyticSettings.SEED, model.settings().bufferSeed())
            .put(AnalyticSettings.INPUT_DIM, model.settings().inputDim())
            .put(AnalyticSettings.BUFFER_SIZE, model.settings().bufferSize())
            .put(AnalyticSettings.GAMMA, model.settings().gamma())
            .putList(CLASSES, weights.classes())
            .putList(TASKS, tasks);
    List<TaskSamples> samples = new ArrayList<>();
    model.samplesPerTask().forEach((task, count) -> samples.add(new TaskSamples(task, count)));
    ModelSnapshot snapshot =
        ModelSnapshot.newBuilder()
            .setModel(header.model())
            .setLearner(LearnerKind.ANALYTIC)
            .setVersion(header.version())
            .setCreatedAt(header.createdAt())
            .setTensors(List.of(head))
            .setScoring(settings.toRecords())
            .setLineage(
                SnapshotLineage.newBuilder()
                    .setPreviousVersion(header.previousVersion())
                    .setSamplesPerTask(samples)
                    .setErasedTasks(model.erasedTasks())
                    .setErasuresReflected(header.erasuresReflected())
                    .build())
            .setChecksum("")
            .build();
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    return snapshot;
  }

  /** Encodes the learner's current model (solving it if needed). */
  public static ModelSnapshot encode(AnalyticLearner learner, SnapshotHeader header) {
    return encode(learner.model(), header);
  }

  /**
   * Builds a scorer from a snapshot after verifying its checksum, kind, generator and shapes.
   *
   * @throws IllegalArgumentException naming the model and version if anything does not match
   */
  public static AnalyticScorer decode(ModelSnapshot snapshot) {
    return decode(snapshot, BufferPrecision.FLOAT64);
  }

  /**
   * As {@link #decode(ModelSnapshot)}, with the buffer layer computed in {@code precision}.
   *
   * @throws IllegalArgumentException naming the model and version if anything does not match
   */
  public static AnalyticScorer decode(ModelSnapshot snapshot, BufferPrecision precision) {
    Decoded d = read(snapshot);
    return new AnalyticScorer(d.seed(), d.inputDim(), d.weights(), precision);
  }

  /**
   * As {@link #decode(ModelSnapshot)}, with the buffer layer shared through {@code layers} (and in
   * their precision).
   *
   * @throws IllegalArgumentException naming the model and version if anything does not match
   */
  public static AnalyticScorer decode(ModelSnapshot snapshot, BufferLayers layers) {
    Decoded d = read(snapshot);
    return new AnalyticScorer(layers, d.seed(), d.inputDim(), d.weights());
  }

  private record Decoded(long seed, int inputDim, HeadWeights weights) {}

  private static Decoded read(ModelSnapshot snapshot) {
    String where = "snapshot " + snapshot.getModel() + " v" + snapshot.getVersion();
    if (!SnapshotChecksum.verify(snapshot)) {
      throw new IllegalArgumentException(where + " fails its checksum; refusing to load it");
    }
    if (snapshot.getLearner() != LearnerKind.ANALYTIC) {
      throw new IllegalArgumentException(
          where + " is of learner " + snapshot.getLearner() + ", expected ANALYTIC");
    }
    SnapshotSettings settings = SnapshotSettings.of(snapshot.getScoring());
    if (!PRNG_V1.equals(settings.get(PRNG))) {
      throw new IllegalArgumentException(
          where + " uses buffer generator " + settings.get(PRNG) + ", this build knows " + PRNG_V1);
    }
    List<Integer> classes = settings.getList(CLASSES).stream().map(Integer::valueOf).toList();
    int size = settings.get(AnalyticSettings.BUFFER_SIZE);
    double[] values =
        SnapshotTensors.readFloat64(
            SnapshotTensors.find(snapshot.getTensors(), HEAD_TENSOR), size, classes.size());
    return new Decoded(
        settings.get(AnalyticSettings.SEED),
        settings.get(AnalyticSettings.INPUT_DIM),
        new HeadWeights(classes, size, values));
  }
}
