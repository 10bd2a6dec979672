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
 * A job with a model in two shards fails mid-stream (the unsharded twin's learner throws once; the
 * job's keyed shuffles make it one failover region, so every subtask restarts) and Flink restores
 * every shard, and the merge, from the last checkpoint. Samples before that checkpoint are not read
 * again, so a shard that lost its state would miss them: the final sharded head equals the
 * failure-free offline model within 1e-9, and its versions never repeat.
 */
class LearnerJobShardedRecoveryIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir static Path dir;
  private static JobTestBench bench;

  @BeforeAll
  static void startJob() throws Exception {
    FailOnceLearners.reset();
    bench =
        new JobTestBench(
            kafka, dir, 400, new FailOnceLearners(450), LearnerJobShardedIT.SHARDED_TWIN, 2);
  }

  @AfterAll
  static void stopJob() throws Exception {
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldRestoreEveryShardFromItsCheckpoint() {
    List<TrainingSample> samples = bench.samples;
    int half = samples.size() / 2;
    bench.produceSamples(samples.subList(0, half));
    for (String model : List.of(JobTestBench.MODEL, LearnerJobShardedIT.SHARDED)) {
      bench.awaitSnapshot(s -> s.getModel().equals(model) && JobTestBench.learned(s) == half);
    }
    assertThat(FailOnceLearners.failed).isFalse();
    bench.produceSamples(samples.subList(half, samples.size()));

    ModelSnapshot last =
        bench.awaitSnapshot(
            s ->
                s.getModel().equals(LearnerJobShardedIT.SHARDED)
                    && JobTestBench.learned(s) == samples.size());
    assertThat(FailOnceLearners.failed).as("the failure was injected").isTrue();
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(last), JobTestBench.offlineWeights(samples));
    System.out.printf(
        "LearnerJobShardedRecoveryIT: two shards after a restore, version %d; max relative"
            + " difference to the failure-free offline model %.3e%n",
        last.getVersion(), difference);
    assertThat(difference).isLessThan(1e-9);
    List<Long> versions =
        bench.snapshots.stream()
            .filter(s -> s.getModel().equals(LearnerJobShardedIT.SHARDED))
            .map(ModelSnapshot::getVersion)
            .toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }
}
