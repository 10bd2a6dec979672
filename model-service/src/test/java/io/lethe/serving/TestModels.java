package io.lethe.serving;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.hypernet.HypernetTaskScorer;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import io.lethe.testing.KafkaExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.StringSerializer;

/** Small real models for the service's tests: learned on random, learnable data. */
final class TestModels {
  /**
   * The service's settings against {@code kafka}, following {@code topic}: loopback, any free port,
   * the default request limits, one intra-op thread.
   */
  static ServingSettings settings(KafkaExtension kafka, String topic) {
    return new ServingSettings(
        kafka.bootstrapServers(),
        kafka.registryUrl(),
        topic,
        "127.0.0.1",
        0,
        ServingSettings.DEFAULT_MAX_BODY_BYTES,
        ServingSettings.DEFAULT_MAX_INSTANCES,
        1);
  }

  /** Publishes {@code snapshot} on {@code topic}, keyed by its model, as the learner job does. */
  static void publish(KafkaExtension kafka, String topic, ModelSnapshot snapshot) {
    kafka.produce(
        topic,
        snapshot.getModel(),
        snapshot,
        new StringSerializer(),
        new SpecificAvroSerializer<ModelSnapshot>(kafka.registryClient(), true, false));
  }

  static final int INPUTS = 20;
  static final Instant CREATED = Instant.parse("2026-11-26T09:00:00Z");

  private TestModels() {}

  /** An analytic learner with a 64-unit buffer, 4 classes over tasks t0 and t1. */
  static AnalyticLearner analytic() {
    return new AnalyticLearner(AnalyticSettings.defaults(7L, INPUTS).withBufferSize(64));
  }

  /** Learns {@code count} samples of tasks t0 (classes 0, 1) and t1 (classes 2, 3). */
  static void learn(AnalyticLearner learner, String idPrefix, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int task = 0; task < 2; task++) {
      List<String> ids = new ArrayList<>();
      float[][] rows = new float[count][];
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        ids.add(idPrefix + "-" + task + "-" + i);
        labels[i] = 2 * task + random.nextInt(2);
        rows[i] = row(random, labels[i]);
      }
      learner.learn("t" + task, ids, rows, labels);
    }
  }

  /** A row whose features lean towards {@code label}. */
  static float[] row(SplittableRandom random, int label) {
    float[] row = new float[INPUTS];
    for (int c = 0; c < INPUTS; c++) {
      row[c] = (float) (random.nextDouble() * 0.8 + (c % 4 == label ? 0.4 : 0.0));
    }
    return row;
  }

  /** {@code count} random rows. */
  static float[][] rows(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] rows = new float[count][];
    for (int i = 0; i < count; i++) {
      rows[i] = row(random, random.nextInt(4));
    }
    return rows;
  }

  static ModelSnapshot snapshot(AnalyticLearner learner, String model, long version) {
    return AnalyticSnapshots.encode(
        learner,
        new SnapshotHeader(
            model,
            version,
            version > 1 ? version - 1 : null,
            CREATED,
            List.of("erase-" + version)));
  }

  /** A hypernetwork learner with tasks "a" (classes 4, 5) and "b" (classes 6, 7). */
  static HypernetLearner hypernet() {
    HypernetSettings settings =
        HypernetSettings.builder(INPUTS)
            .optTargetHidden(List.of(16))
            .optTrunkHidden(List.of(16, 32))
            .optChunkEmbeddingDim(8)
            .optChunkSize(128)
            .optWindowSize(64)
            .optBatchSize(16)
            .optStepsPerBatch(2)
            .optSeed(3)
            .build();
    HypernetLearner learner = new HypernetLearner(settings);
    SplittableRandom random = new SplittableRandom(5);
    for (String task : List.of("a", "b")) {
      float[][] rows = new float[64][];
      int[] local = new int[64];
      for (int i = 0; i < rows.length; i++) {
        local[i] = random.nextInt(2);
        rows[i] = row(random, local[i] + 2);
      }
      learner.learn(task, rows, local);
      learner.finishTask(task);
    }
    return learner;
  }

  /** The hypernetwork's snapshot with the global labels of each task, as the learner job adds. */
  static ModelSnapshot snapshot(HypernetLearner learner, String model, long version) {
    ModelSnapshot snapshot =
        learner.toSnapshot(new SnapshotHeader(model, version, null, CREATED, List.of()));
    List<Setting> scoring = new ArrayList<>(snapshot.getScoring());
    scoring.add(new Setting(HypernetTaskScorer.taskClassesKey("a"), "4,5"));
    scoring.add(new Setting(HypernetTaskScorer.taskClassesKey("b"), "6,7"));
    snapshot.setScoring(scoring);
    snapshot.setChecksum("");
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    return snapshot;
  }
}
