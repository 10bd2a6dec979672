package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.records.LearnerKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/** How a sharded model's commands are spread over its shards and its shards over subtasks. */
class ModelRoutesTest {
  private static ModelRoutes routes(int shards) {
    return ModelRoutes.of(
        ModelCatalog.of(
            List.of(new DatasetSpec("d", 4, 2)),
            List.of(
                ModelSpec.of("single", LearnerKind.ANALYTIC, "d"),
                ModelSpec.of("wide", LearnerKind.ANALYTIC, "d").withShards(shards))));
  }

  @Test
  void shouldGiveEachShardASubtaskOfItsOwnAtParallelismP() {
    for (int shards : new int[] {2, 3, 4, 16, 32}) {
      ModelRoutes routes = routes(shards);
      Set<Integer> subtasks = new HashSet<>();
      for (String key : routes.shardKeys("wide")) {
        subtasks.add(
            KeyGroupRangeAssignment.assignKeyToParallelOperator(
                key, ModelRoutes.SHARD_KEY_GROUPS, shards));
      }
      assertThat(subtasks).as("%d shards", shards).hasSize(shards);
    }
    assertThat(routes(2).shardKeys("single")).isEmpty();
    assertThat(routes(2).shards("single")).isEqualTo(1);
    assertThat(routes(2).hasShardedModels()).isTrue();
  }

  @Test
  void shouldKeepASubjectOnOneShardAndSpreadSubjects() {
    ModelRoutes routes = routes(4);
    int[] perShard = new int[4];
    for (int u = 0; u < 4000; u++) {
      perShard[routes.shardOf("wide", "u-" + u)]++;
    }
    for (int n : perShard) {
      assertThat(n).isBetween(850, 1150);
    }

    SampleEvent sample = new SampleEvent();
    sample.subjectId = "u-17";
    sample.sampleId = "s-1";
    sample.task = "t";
    ErasureEvent erasure = new ErasureEvent();
    erasure.subjectId = "u-17";
    erasure.requestId = "r-1";
    String learnKey = routes.shardKey(LearnerCommand.learn("wide", sample));
    String eraseKey =
        routes.shardKey(
            LearnerCommand.eraseSamples(
                "wide", erasure, List.of("s-1"), List.of("t"), new byte[1][], new int[1]));
    assertThat(eraseKey).isEqualTo(learnKey);
    assertThat(routes.shard(learnKey))
        .isEqualTo(new ModelRoutes.Shard("wide", routes.shardOf("wide", "u-17")));
    assertThat(routes.shardKey(LearnerCommand.eraseTasks("wide", 3, erasure)))
        .isEqualTo(routes.shardKeys("wide").get(3));
  }
}
