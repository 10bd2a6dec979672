package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baseline of {@link AnalyticEraseBenchmark}: retraining from scratch on the 60,000 retained
 * samples at d_E 2048 (learn and solve), which is what an erasure would cost without the analytic
 * downdate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx6g"})
public class RetrainBaselineBenchmark {
  private BenchData data;

  @Setup(Level.Trial)
  public void setUp() {
    data = BenchData.random("s", AnalyticEraseBenchmark.LEARNED, 3L);
  }

  /** Baseline: retrain on 60,000 samples (learn + solve), as a from-scratch model would. */
  @Benchmark
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public double retrainBaseline() {
    try (AnalyticLearner fresh =
        new AnalyticLearner(
            AnalyticSettings.defaults(42L, BenchData.INPUT_DIM)
                .withBufferSize(AnalyticEraseBenchmark.BUFFER_SIZE))) {
      for (int start = 0; start < AnalyticEraseBenchmark.LEARNED; start += 2000) {
        BenchData batch = data.slice(start, start + 2000);
        fresh.learn("t", batch.ids, batch.rows, batch.labels);
      }
      return fresh.weights().values()[0];
    }
  }
}
