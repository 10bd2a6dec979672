package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Learn throughput of the analytic learner in samples per second (one operation = one sample): the
 * sums path Lethe uses, against keeping R = G^-1 current with the recursive (RLS/Woodbury) update
 * of ACIL eq. 13-14 on the same batches. The float64 GEMM peak of the same backend is measured by
 * {@link GemmPeakBenchmark} in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
public class AnalyticLearnBenchmark {
  static final int BATCH = 2000;

  @Param({"1024", "2048", "4096"})
  int bufferSize;

  private AnalyticLearner learner;
  private BenchData batch;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    learner =
        new AnalyticLearner(
            AnalyticSettings.defaults(42L, BenchData.INPUT_DIM).withBufferSize(bufferSize));
    batch = BenchData.random("x", BATCH, 1L);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    learner.close();
  }

  /** Adds a batch of 2000 samples to the per-task sums (fresh ids each time). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void learnIntoSums() {
    List<String> ids = new ArrayList<>(BATCH);
    int base = next;
    for (int i = 0; i < BATCH; i++) {
      ids.add("s" + (base + i));
    }
    next += BATCH;
    learner.learn("t", ids, batch.rows, batch.labels);
  }
}
