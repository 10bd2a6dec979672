package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticPartialSums;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.HeadWeights;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a sharded analytic model pays per snapshot at d_E 2048 with five tasks, against the
 * unsharded learner's solve in the same run ({@code solveUnsharded}, the baseline): a shard
 * building and encoding its partial sums ({@code partial}, once per shard that changed, per
 * checkpoint), and the merge decoding and adding {@code shards} partials, solving and encoding the
 * snapshot ({@code merge}, once per version). Every shard's partial is the same bytes here: the
 * cost does not depend on their values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx6g"})
public class ShardMergeBenchmark {
  static final int BUFFER_SIZE = 2048;
  static final int TASKS = 5;
  static final int ROWS_PER_TASK = 2000;

  @Param({"2", "8"})
  int shards;

  private AnalyticSettings settings;
  private AnalyticLearner learner;
  private byte[] partial;

  @Setup(Level.Trial)
  public void setUp() {
    settings = AnalyticSettings.defaults(42L, BenchData.INPUT_DIM).withBufferSize(BUFFER_SIZE);
    learner = new AnalyticLearner(settings);
    BenchData data = BenchData.fashionMnist("s", TASKS * ROWS_PER_TASK);
    for (int task = 0; task < TASKS; task++) {
      BenchData batch = data.slice(task * ROWS_PER_TASK, (task + 1) * ROWS_PER_TASK);
      learner.learn("t" + task, batch.ids, batch.rows, batch.labels);
    }
    partial = learner.partialSums().encode();
    System.out.printf("%nShardMergeBenchmark: a partial is %,d bytes%n", partial.length);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    learner.close();
  }

  /** The unsharded learner's solve from its sums: what one version costs without shards. */
  @Benchmark
  public HeadWeights solveUnsharded() {
    return learner.weightsForGamma(settings.gamma());
  }

  /** One shard's partial sums, summed over its tasks and encoded. */
  @Benchmark
  public byte[] partial() {
    return learner.partialSums().encode();
  }

  /** The merge: decode and add every shard's partial, solve, encode the snapshot. */
  @Benchmark
  public ModelSnapshot merge() {
    Iterable<AnalyticPartialSums> parts =
        () ->
            Collections.nCopies(shards, partial).stream()
                .map(AnalyticPartialSums::decode)
                .iterator();
    return AnalyticPartialSums.mergeSnapshot(
        settings, parts, new SnapshotHeader("bench", 1, null, Instant.EPOCH, List.of()));
  }
}
