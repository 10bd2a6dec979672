package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the job's checkpoints cost the analytic learner itself: Fashion-MNIST images of five
 * interleaved tasks (task = label / 2, in the training file's order, as in {@code lethe bench-job})
 * learned in micro-batches of {@value #MICRO_BATCH} split by task, as the job's learner operator
 * learns them, at d_E 2048, by a new learner per shot ({@value #SAMPLES} samples: over 17,000 a
 * task, so every task rebases once). Every {@code drainEvery} samples the learner's changed state
 * is drained ({@link AnalyticLearner#drainChangedState()}: journal segments, a task's sums once its
 * journal would outgrow them, the index log), as a checkpoint every 2 s does at about 5,000
 * samples/s. {@code drainEvery = 0} is the baseline: never drained. No snapshot is solved in
 * either. Reported in µs a sample.
 *
 * <p>{@code ./lethe bench-learners -f 1 CheckpointedLearnBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xms4g", "-Xmx4g"})
public class CheckpointedLearnBenchmark {
  static final int MICRO_BATCH = 256;
  static final int SAMPLES = 100_000;

  @Param({"0", "10000"})
  int drainEvery;

  private AnalyticLearner learner;
  private BenchData images;

  @Setup(Level.Trial)
  public void loadImages() {
    images = BenchData.fashionMnist("i", 60_000);
  }

  @Setup(Level.Iteration)
  public void setUp() {
    learner =
        new AnalyticLearner(
            AnalyticSettings.defaults(7L, BenchData.INPUT_DIM).withBufferSize(2048));
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    learner.close();
  }

  /** Learns {@value #SAMPLES} samples, draining the state whenever one is due. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public void learnStream(Blackhole drained) {
    int sinceDrain = 0;
    for (int from = 0; from < SAMPLES; from += MICRO_BATCH) {
      learnMicroBatch(from);
      sinceDrain += MICRO_BATCH;
      if (drainEvery > 0 && sinceDrain >= drainEvery) {
        drained.consume(learner.drainChangedState());
        sinceDrain = 0;
      }
    }
  }

  private void learnMicroBatch(int from) {
    Map<String, List<Integer>> byTask = new LinkedHashMap<>();
    for (int sample = from; sample < from + MICRO_BATCH; sample++) {
      int row = sample % images.rows.length;
      byTask
          .computeIfAbsent(String.valueOf(images.labels[row] / 2), t -> new ArrayList<>())
          .add(sample);
    }
    byTask.forEach(
        (task, samples) -> {
          List<String> ids = new ArrayList<>(samples.size());
          float[][] rows = new float[samples.size()][];
          int[] labels = new int[samples.size()];
          for (int j = 0; j < samples.size(); j++) {
            int row = samples.get(j) % images.rows.length;
            ids.add("s" + samples.get(j));
            rows[j] = images.rows[row];
            labels[j] = images.labels[row];
          }
          learner.learn(task, ids, rows, labels);
        });
  }
}
