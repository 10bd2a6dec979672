package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.JobMetrics;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureScope;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The hypernetwork's step budget in the learner operator, through Flink's operator test harness: a
 * task of a few samples gets its steps-per-task in idle ticks and no more, snapshots keep coming
 * while it trains, a checkpoint keeps the step counts, and task erasure still works after.
 */
class HypernetStepBudgetOperatorTest {
  private static final String MODEL = "tiny-hypernet";
  private static final int BUDGET = 60;
  private static final int STEPS_PER_BATCH = 2;
  private static final int MICRO_BATCH = 4;
  private static final int MAX_TICKS = 400;
  private static final ModelCatalog CATALOG =
      ModelCatalog.of(
          List.of(new DatasetSpec("tiny", 8, 4)),
          List.of(
              ModelSpec.of(MODEL, LearnerKind.HYPERNETWORK, "tiny")
                  .withSnapshot(
                      new SnapshotPolicy(1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                  .with(HypernetSettings.TARGET_HIDDEN, List.of(16))
                  .with(HypernetSettings.TRUNK_HIDDEN, List.of(16, 16))
                  .with(HypernetSettings.CHUNK_SIZE, 64)
                  .with(HypernetSettings.BATCH_SIZE, 4)
                  .with(HypernetSettings.STEPS_PER_BATCH, STEPS_PER_BATCH)
                  .with(HypernetSettings.STEPS_PER_TASK, BUDGET)
                  .with(HypernetSettings.FIRST_ERASE_STEPS, 5)
                  .with(HypernetSettings.SEED, 1L)));

  private final SplittableRandom random = new SplittableRandom(5);
  private long now = 1_000;
  private final java.util.Map<String, byte[]> learnedFeatures = new java.util.HashMap<>();

  @Test
  void shouldGiveASmallTaskItsBudgetInIdleTimeAndNoMore() throws Exception {
    OperatorSubtaskState checkpoint;
    try (Harness h = new Harness(null)) {
      learnTask(h, "t1", 0, 8); // 2 micro-batches
      assertThat(h.trainingSteps()).isEqualTo(2L * STEPS_PER_BATCH);
      int before = h.snapshots();

      int ticks = tickUntilSteps(h, BUDGET);

      assertThat(ticks).as("idle ticks to the budget").isLessThan(MAX_TICKS);
      assertThat(h.snapshots()).as("snapshots while it trains").isGreaterThan(before);
      for (int i = 0; i < 20; i++) {
        tick(h);
      }
      assertThat(h.trainingSteps()).as("no steps beyond the budget").isEqualTo(BUDGET);
      checkpoint = h.harness.snapshot(1, now);
    }

    try (Harness h = new Harness(checkpoint)) {
      learnTask(h, "t2", 2, 4); // one micro-batch of a new task
      assertThat(h.trainingSteps())
          .as("t1's steps restored from the checkpoint")
          .isEqualTo(BUDGET + STEPS_PER_BATCH);
      tickUntilSteps(h, 2 * BUDGET);
      tick(h);
      assertThat(h.trainingSteps()).isEqualTo(2 * BUDGET);

      ErasureEvent request = new ErasureEvent();
      request.requestId = "e-1";
      request.scope = ErasureScope.TASK;
      request.ids = List.of("t2");
      request.requestedAtMillis = now;
      h.harness.processElement(LearnerCommand.eraseTasks(MODEL, request), now);
      for (int i = 0; i < 15; i++) {
        tick(h);
      }

      List<ErasureApplied> applied =
          h.outputs(KafkaOut.Kind.ERASURE_APPLIED).stream()
              .map(o -> AvroBytes.decode(o.avro, ErasureApplied.class))
              .toList();
      assertThat(applied)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getGuarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
                assertThat(a.getFirstVersionWithout()).isNotNull();
              });
      assertThat(h.trainingSteps()).as("the erased task's steps are gone").isEqualTo(BUDGET);
      ModelSnapshot last =
          AvroBytes.decode(
              h.outputs(KafkaOut.Kind.MODEL_SNAPSHOT).get(h.snapshots() - 1).avro,
              ModelSnapshot.class);
      assertThat(last.getLineage().getErasedTasks()).containsExactly("t2");
    }
  }

  @Test
  void shouldForgetTheSubjectsOfRequestsThatCameTogetherInOneOperation() throws Exception {
    try (Harness h = new Harness(null)) {
      learnTask(h, "t1", 0, 8);
      tickUntilSteps(h, BUDGET);
      learnTask(h, "t2", 2, 8);
      tickUntilSteps(h, 2 * BUDGET);
      for (String subject : List.of("u-t1-s0", "u-t2-s1")) {
        h.harness.processElement(
            LearnerCommand.eraseSamples(
                MODEL,
                subjectErasure("r-" + subject, subject),
                List.of(subject.substring(2)),
                List.of(subject.substring(2, 4)),
                new byte[][] {packed(subject.substring(2))},
                new int[] {subject.endsWith("s0") ? 0 : 3}),
            now);
      }
      assertThat(h.outputs(KafkaOut.Kind.ERASURE_APPLIED)).as("not before the timer").isEmpty();
      for (int i = 0; i < 15; i++) {
        tick(h);
      }

      List<ErasureApplied> applied =
          h.outputs(KafkaOut.Kind.ERASURE_APPLIED).stream()
              .map(o -> AvroBytes.decode(o.avro, ErasureApplied.class))
              .toList();
      assertThat(applied).hasSize(2);
      assertThat(applied.get(0).getFirstVersionWithout())
          .isEqualTo(applied.get(1).getFirstVersionWithout());
      assertThat(applied.get(0).getReason())
          .contains("task t1: 1 sample(s) erased")
          .contains("from its 7 kept samples")
          .contains("in one operation with 1 other request(s)")
          .doesNotContain("task t2");
      assertThat(applied.get(1).getReason()).contains("task t2: 1 sample(s) erased");
      assertThat(applied)
          .allSatisfy(
              a -> {
                assertThat(a.getGuarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
                assertThat(a.getSamplesErased()).isEqualTo(1);
              });
    }
  }

  private ErasureEvent subjectErasure(String id, String subject) {
    ErasureEvent request = new ErasureEvent();
    request.requestId = id;
    request.scope = ErasureScope.SUBJECT;
    request.ids = List.of(subject);
    request.requestedAtMillis = now;
    return request;
  }

  /** The packed features {@link #learnTask} gave sample {@code id}. */
  private byte[] packed(String id) {
    return learnedFeatures.get(id);
  }

  private int tickUntilSteps(Harness h, long steps) throws Exception {
    int ticks = 0;
    while (h.trainingSteps() < steps && ticks < MAX_TICKS) {
      tick(h);
      ticks++;
    }
    assertThat(h.trainingSteps()).isEqualTo(steps);
    return ticks;
  }

  private void tick(Harness h) throws Exception {
    now += LearnerOperator.IDLE_TICK.toMillis();
    h.harness.setProcessingTime(now);
  }

  private void learnTask(Harness h, String task, int firstLabel, int samples) throws Exception {
    for (int i = 0; i < samples; i++) {
      int label = firstLabel + i % 2;
      float[] x = new float[8];
      for (int f = 0; f < x.length; f++) {
        x[f] = (float) random.nextGaussian() + (label % 2 == 0 ? 1 : -1);
      }
      byte[] packed = new PackedFeatures().pack(x);
      String id = task + "-s" + i;
      learnedFeatures.put(id, packed);
      h.harness.processElement(
          LearnerCommand.learn(
              MODEL, new SampleEvent(id, "u-" + id, "tiny", task, packed, label, now)),
          now);
    }
  }

  /** The operator in a harness, with its step count. */
  private static final class Harness implements AutoCloseable {
    private final LearnerOperatorHarness operator;
    final KeyedOneInputStreamOperatorTestHarness<String, LearnerCommand, KafkaOut> harness;

    Harness(OperatorSubtaskState restored) throws Exception {
      operator = new LearnerOperatorHarness(CATALOG, MICRO_BATCH, restored);
      harness = operator.harness;
    }

    long trainingSteps() {
      return operator.modelGauge(JobMetrics.MODEL_TRAINING_STEPS);
    }

    List<KafkaOut> outputs(KafkaOut.Kind kind) {
      return operator.outputs(kind);
    }

    int snapshots() {
      return outputs(KafkaOut.Kind.MODEL_SNAPSHOT).size();
    }

    @Override
    public void close() throws Exception {
      operator.close();
    }
  }
}
