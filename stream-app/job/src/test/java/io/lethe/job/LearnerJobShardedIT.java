package io.lethe.job;

import static io.lethe.job.JobTestBench.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.learner.CatalogLearners;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.TrainingSample;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel learning: a model spread over two shards (on two learner subtasks) and its
 * unsharded twin learn the same stream with SUBJECT, SAMPLE and TASK erasures interleaved; they
 * confirm every erasure alike, and their final served heads are equal within 1e-9.
 */
class LearnerJobShardedIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  static final String SHARDED = "fmnist-sharded";

  /** The analytic twin of {@link JobTestBench#MODEL}, in two shards. */
  static final String SHARDED_TWIN =
      """
        - name: %s
          learner: analytic
          dataset: fashion-mnist
          shards: 2
          snapshot: {every-samples: 1000000, interval: 1s, after-erasure: 300ms}
          settings: {buffer-size: %d, gamma: 0.1, seed: 7}
      """
          .formatted(SHARDED, JobTestBench.BUFFER_SIZE);

  @TempDir static Path dir;
  private static JobTestBench bench;

  @BeforeAll
  static void startJob() throws Exception {
    bench = new JobTestBench(kafka, dir, 400, new CatalogLearners(), SHARDED_TWIN, 2);
  }

  @AfterAll
  static void stopJob() throws Exception {
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldLearnAndForgetExactlyAsTheUnshardedTwin() {
    List<TrainingSample> samples = bench.samples;
    int half = samples.size() / 2;
    // each step waits for the one before, so that both models see the same commands in the same
    // order (samples and erasures come on different topics)
    bench.produceSamples(samples.subList(0, half));
    awaitBothLearned(half);
    bench.produceErasure(JobTestBench.subjectErasure("r-subject", "u-3", JobTestBench.T0));
    List<String> ids =
        samples.subList(0, half).stream()
            .filter(s -> s.getSubjectId().equals("u-8"))
            .limit(2)
            .map(TrainingSample::getSampleId)
            .toList();
    bench.produceErasure(JobTestBench.sampleErasure("r-samples", "u-8", ids, JobTestBench.T0));
    long erased = confirmedAlike("r-subject") + confirmedAlike("r-samples");
    bench.produceSamples(samples.subList(half, samples.size()));
    awaitBothLearned(samples.size() - erased);
    bench.produceErasure(JobTestBench.subjectErasure("r-subject-2", "u-5", JobTestBench.T0));
    erased += confirmedAlike("r-subject-2");
    awaitBothLearned(samples.size() - erased);

    ErasureRequest tasks = JobTestBench.subjectErasure("r-task", "1", JobTestBench.T0);
    tasks.setScope(ErasureScope.TASK);
    tasks.setSubjectId(null);
    tasks.setIds(List.of("1", "7")); // task 7 was never learned
    bench.produceErasure(tasks);
    ErasureApplied single = awaitApplied("r-task", JobTestBench.MODEL);
    ErasureApplied sharded = awaitApplied("r-task", SHARDED);
    assertSameConfirmation(sharded, single);
    assertThat(sharded.getReason()).contains("task(s) 7 not learned");

    ModelSnapshot singleLast = firstVersionWithout(single);
    ModelSnapshot shardedLast = firstVersionWithout(sharded);
    assertThat(taskCounts(shardedLast)).isEqualTo(taskCounts(singleLast));
    assertThat(shardedLast.getLineage().getErasedTasks()).containsExactly("1");
    assertThat(shardedLast.getLineage().getErasuresReflected()).containsExactly("r-task");
    assertThat(shardedLast.getScoring()).isEqualTo(singleLast.getScoring());
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(shardedLast), JobTestBench.headWeights(singleLast));
    System.out.printf(
        "LearnerJobShardedIT: two shards vs one subtask after %d erased samples and a task"
            + " erasure: max relative difference %.3e (versions %d and %d)%n",
        erased, difference, shardedLast.getVersion(), singleLast.getVersion());
    assertThat(erased).isPositive();
    assertThat(difference).isLessThan(1e-9);
    List<Long> versions =
        bench.snapshots.stream()
            .filter(s -> s.getModel().equals(SHARDED))
            .map(ModelSnapshot::getVersion)
            .toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }

  /** Waits for both models to confirm the request alike; returns the samples erased. */
  private static long confirmedAlike(String request) {
    ErasureApplied single = awaitApplied(request, JobTestBench.MODEL);
    ErasureApplied sharded = awaitApplied(request, SHARDED);
    assertThat(sharded.getGuarantee()).isEqualTo(ErasureGuarantee.EXACT);
    assertSameConfirmation(sharded, single);
    return single.getSamplesErased();
  }

  private static void awaitBothLearned(long retained) {
    for (String model : List.of(JobTestBench.MODEL, SHARDED)) {
      bench.awaitSnapshot(s -> s.getModel().equals(model) && JobTestBench.learned(s) == retained);
    }
  }

  private static void assertSameConfirmation(ErasureApplied sharded, ErasureApplied single) {
    assertThat(sharded.getGuarantee()).isEqualTo(single.getGuarantee());
    assertThat(sharded.getSamplesErased()).isEqualTo(single.getSamplesErased());
    assertThat(sharded.getReason()).isEqualTo(single.getReason());
    assertThat(sharded.getFirstVersionWithout()).isNotNull();
  }

  static ErasureApplied awaitApplied(String requestId, String model) {
    Await.until(
        model + " applying " + requestId,
        BOUND,
        () ->
            bench.applied.stream()
                .anyMatch(a -> a.getRequestId().equals(requestId) && a.getModel().equals(model)));
    return bench.applied.stream()
        .filter(a -> a.getRequestId().equals(requestId) && a.getModel().equals(model))
        .findFirst()
        .orElseThrow();
  }

  private static ModelSnapshot firstVersionWithout(ErasureApplied applied) {
    return bench.awaitSnapshot(
        s ->
            s.getModel().equals(applied.getModel())
                && s.getVersion() == applied.getFirstVersionWithout());
  }

  private static java.util.Map<String, Long> taskCounts(ModelSnapshot snapshot) {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    for (TaskSamples t : snapshot.getLineage().getSamplesPerTask()) {
      counts.put(t.getTask(), t.getSamples());
    }
    return counts;
  }
}
