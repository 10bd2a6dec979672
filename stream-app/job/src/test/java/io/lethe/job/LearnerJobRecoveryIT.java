package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.testing.KafkaExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner fails mid-stream; Flink restores the job from its last checkpoint. The final snapshot
 * still equals the model trained offline on every sample exactly once, and the versions seen by a
 * read_committed reader of {@code lethe.models} never repeat or go backwards.
 */
class LearnerJobRecoveryIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir static Path dir;
  private static JobTestBench bench;

  @BeforeAll
  static void startJob() throws Exception {
    FailOnceLearners.reset();
    bench = new JobTestBench(kafka, dir, 600, new FailOnceLearners(650));
  }

  @AfterAll
  static void stopJob() throws Exception {
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldRecoverFromAFailureWithoutLearningAnythingTwice() throws Exception {
    List<TrainingSample> samples = bench.samples;
    // A committed snapshot of the first half means a completed checkpoint holds the learner's
    // state; the learner then fails on the second half and is restored from that checkpoint.
    bench.produceSamples(samples.subList(0, 600));
    bench.awaitSnapshot(s -> JobTestBench.learned(s) == 600);
    assertThat(FailOnceLearners.failed).isFalse();
    bench.produceSamples(samples.subList(600, samples.size()));

    ModelSnapshot last = bench.awaitSnapshot(s -> JobTestBench.learned(s) == samples.size());

    assertThat(FailOnceLearners.failed).as("the failure was injected").isTrue();
    assertThat(FailOnceLearners.restores.get()).as("the learner was restored").isPositive();
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(last), JobTestBench.offlineWeights(samples));
    System.out.printf(
        "LearnerJobRecoveryIT: after %d restore(s), version %d; max relative difference to the"
            + " failure-free offline model %.3e%n",
        FailOnceLearners.restores.get(), last.getVersion(), difference);
    assertThat(difference).isLessThan(1e-9);
    List<Long> versions = bench.snapshots.stream().map(ModelSnapshot::getVersion).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }
}
