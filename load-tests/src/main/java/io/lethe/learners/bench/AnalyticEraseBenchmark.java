package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.ErasureOutcome;
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
 * Erase latency of the analytic learner at d_E 2048 with 60,000 learned samples: one erasure
 * request of 1, 10 or 100 samples, applied to the solved model (Woodbury downdate) and read back as
 * new weights, i.e. the time until the new model exists. Each shot erases fresh samples. {@link
 * RetrainBaselineBenchmark} is the alternative: learn the 60,000 samples from scratch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx6g"})
public class AnalyticEraseBenchmark {
  static final int BUFFER_SIZE = 2048;
  static final int LEARNED = 60_000;

  @Param({"1", "10", "100"})
  int rows;

  private BenchData data;
  private AnalyticLearner learner;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    data = BenchData.random("s", LEARNED, 3L);
    learner =
        new AnalyticLearner(
            AnalyticSettings.defaults(42L, BenchData.INPUT_DIM).withBufferSize(BUFFER_SIZE));
    for (int start = 0; start < LEARNED; start += 2000) {
      BenchData batch = data.slice(start, start + 2000);
      learner.learn("t" + (start * 5 / LEARNED), batch.ids, batch.rows, batch.labels);
    }
    learner.resolve();
  }

  /** Not timed: start every shot from a freshly solved head. */
  @Setup(Level.Invocation)
  public void resolve() {
    learner.resolve();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    learner.close();
  }

  /** Erases the next {@code rows} samples and reads the new head. */
  @Benchmark
  @Warmup(iterations = 3)
  @Measurement(iterations = 15)
  public double erase() {
    BenchData batch = data.slice(next, next + rows);
    next += rows;
    ErasureOutcome outcome = learner.eraseSamples(batch.ids, batch.rows, batch.labels);
    if (outcome.path() != ErasureOutcome.ModelUpdate.WOODBURY_DOWNDATE) {
      throw new IllegalStateException("expected an in-place downdate, got " + outcome);
    }
    return learner.weights().values()[0];
  }
}
