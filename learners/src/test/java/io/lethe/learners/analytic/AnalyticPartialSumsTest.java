package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Partial sums of shards add up to the model one learner learns: the maths of sharding. */
class AnalyticPartialSumsTest {
  private static final int INPUT_DIM = 40;
  private static final double EXACT = 1e-9;
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(11L, INPUT_DIM).withBufferSize(128).withGamma(0.1);

  private final RandomSamples all = RandomSamples.generate(1L, 2000, INPUT_DIM, 3, 40);

  @Test
  void shouldMergeShardsToTheSingleLearnersModelAfterEveryErasureScope() {
    int shards = 3;
    try (AnalyticLearner single = new AnalyticLearner(SETTINGS);
        ShardSet sharded = new ShardSet(shards)) {
      all.learnInto(single, 64);
      for (int s = 0; s < shards; s++) {
        int shard = s;
        all.filter(i -> shardOf(all.subjects.get(i), shards) == shard)
            .learnInto(sharded.learners.get(s), 64);
      }
      assertMerged(sharded, single);

      // a subject (all on one shard), some samples, then task t1 on every shard
      RandomSamples subject = all.filter(i -> all.subjects.get(i).equals("u-7"));
      subject.eraseFrom(single, 1000);
      subject.eraseFrom(sharded.learners.get(shardOf("u-7", shards)), 1000);
      RandomSamples some = all.filter(i -> i % 13 == 5 && !all.subjects.get(i).equals("u-7"));
      some.eraseFrom(single, 1000);
      for (int s = 0; s < shards; s++) {
        int shard = s;
        some.filter(i -> shardOf(some.subjects.get(i), shards) == shard)
            .eraseFrom(sharded.learners.get(s), 1000);
      }
      assertMerged(sharded, single);

      single.eraseTask("t1");
      for (AnalyticLearner learner : sharded.learners) {
        if (learner.samplesPerTask().containsKey("t1")) {
          learner.eraseTask("t1");
        }
      }
      AnalyticModel merged = assertMerged(sharded, single);
      assertThat(merged.samplesPerTask()).isEqualTo(single.samplesPerTask());
      assertThat(merged.erasedTasks()).containsExactly("t1");
    }
  }

  @Test
  void shouldRoundTripThroughBytes() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 300).learnInto(learner, 64);
      AnalyticPartialSums sums = learner.partialSums();
      AnalyticPartialSums read = AnalyticPartialSums.decode(sums.encode());
      assertThat(read.gram()).containsExactly(sums.gram());
      assertThat(read.cross()).containsExactly(sums.cross());
      assertThat(read.classCounts()).containsExactly(sums.classCounts());
      assertThat(read.samplesPerTask()).isEqualTo(sums.samplesPerTask());
    }
    try (AnalyticLearner empty = new AnalyticLearner(SETTINGS)) {
      AnalyticPartialSums read = AnalyticPartialSums.decode(empty.partialSums().encode());
      assertThat(read.isEmpty()).isTrue();
      assertThat(AnalyticPartialSums.mergedWeights(SETTINGS, List.of(read)).classes()).isEmpty();
    }
  }

  @Test
  void shouldRefuseBytesOfAnotherFormat() {
    assertThatThrownBy(() -> AnalyticPartialSums.decode(new byte[] {0, 0, 0, 9}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("analytic partial sums of format 9, this build reads 1");
  }

  private static int shardOf(String subject, int shards) {
    return Math.floorMod(subject.hashCode(), shards);
  }

  private static AnalyticModel assertMerged(ShardSet sharded, AnalyticLearner single) {
    List<AnalyticPartialSums> parts = new ArrayList<>();
    for (AnalyticLearner learner : sharded.learners) {
      parts.add(AnalyticPartialSums.decode(learner.partialSums().encode()));
    }
    AnalyticModel merged = AnalyticPartialSums.merge(SETTINGS, parts);
    assertThat(merged.weights().maxRelativeDifference(single.weights())).isLessThan(EXACT);
    return merged;
  }

  /** One learner per shard. */
  private static final class ShardSet implements AutoCloseable {
    final List<AnalyticLearner> learners = new ArrayList<>();

    ShardSet(int shards) {
      for (int s = 0; s < shards; s++) {
        learners.add(new AnalyticLearner(SETTINGS));
      }
    }

    @Override
    public void close() {
      learners.forEach(AnalyticLearner::close);
    }
  }
}
