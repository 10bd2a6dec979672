package io.lethe.learners.bench;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.PackedFeatures;
import java.util.HashMap;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a checkpoint's journal costs a restore, at d_E 2048 with five tasks: the time from the
 * checkpointed parts to a solved head ({@link AnalyticLearner#restore} and the weights), when each
 * task's journal holds rows worth {@code journalBases} times the task's sums in bytes (about 5,400
 * dense rows or 17,000 Fashion-MNIST images each). 0 is the baseline: bases only, nothing to
 * replay. A task's journal is rebased once it reaches {@code JOURNAL_TO_BASE_RATIO} (1) times its
 * sums, so 1 is the worst case of a restore; larger values need the ratio raised first (the set-up
 * refuses to measure a journal the learner would have rebased).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx6g"})
public class AnalyticRestoreBenchmark {
  static final int BUFFER_SIZE = 2048;
  static final int TASKS = 5;
  static final int FIRST_ROWS = 10;
  static final int BASE_ROWS = 2000;

  @Param({"0", "1"})
  double journalBases;

  /**
   * The rows: {@code dense} (random values, which pack into their plain floats) or {@code
   * fashion-mnist} (images, which pack into about a third of them, so a journal of the same bytes
   * holds about three times the rows).
   */
  @Param({"dense", "fashion-mnist"})
  String rows;

  private AnalyticSettings settings;

  /** What Flink's map state holds after the exports: a part exported as null is removed. */
  private final Map<String, byte[]> parts = new HashMap<>();

  @Setup(Level.Trial)
  public void setUp() {
    settings = AnalyticSettings.defaults(42L, BenchData.INPUT_DIM).withBufferSize(BUFFER_SIZE);
    long sumsBytes =
        8L * ((long) BUFFER_SIZE * (BUFFER_SIZE + 1) / 2 + (long) BUFFER_SIZE * BenchData.CLASSES);
    double rowBytes = journalRowBytes();
    // just below the size that would make the export write the task's sums instead
    int journalRows = (int) Math.max(0, 0.99 * journalBases * sumsBytes / rowBytes);
    int count = TASKS * (FIRST_ROWS + BASE_ROWS + journalRows);
    BenchData data =
        rows.equals("dense")
            ? BenchData.random("s", count, 5L)
            : BenchData.fashionMnist("s", count);
    parts.clear();
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      int next = 0;
      // A few rows of class 0 in every task first: the next batch adds classes, which widens
      // every task's sums, so the first export writes them all as bases.
      for (int task = 0; task < TASKS; task++) {
        BenchData batch = data.slice(next, next + FIRST_ROWS);
        learner.learn("t" + task, batch.ids, batch.rows, new int[FIRST_ROWS]);
        next += FIRST_ROWS;
      }
      for (int task = 0; task < TASKS; task++) {
        BenchData batch = data.slice(next, next + BASE_ROWS);
        learner.learn("t" + task, batch.ids, batch.rows, batch.labels);
        next += BASE_ROWS;
      }
      Map<String, byte[]> bases = learner.drainChangedState();
      if (bases.keySet().stream().filter(key -> key.startsWith("task/")).count() != TASKS) {
        throw new IllegalStateException("expected the first export to write every task's sums");
      }
      checkpoint(bases);
      for (int task = 0; task < TASKS; task++) {
        for (int start = 0; start < journalRows; start += 2000) {
          int end = Math.min(journalRows, start + 2000);
          BenchData batch = data.slice(next + start, next + end);
          learner.learn("t" + task, batch.ids, batch.rows, batch.labels);
        }
        next += journalRows;
      }
      Map<String, byte[]> journal = learner.drainChangedState();
      if (journal.keySet().stream().anyMatch(key -> key.startsWith("task/"))) {
        throw new IllegalStateException(
            "the export rebased a task; a journal of "
                + journalBases
                + " sums is beyond the learner's journal-to-base ratio");
      }
      checkpoint(journal);
    }
  }

  /** The average bytes of a journal row (its flag, label and packed features) of {@link #rows}. */
  private double journalRowBytes() {
    BenchData sample =
        rows.equals("dense")
            ? BenchData.random("p", 1000, 6L)
            : BenchData.fashionMnist("p", 10_000);
    PackedFeatures packer = new PackedFeatures();
    long bytes = 0;
    for (float[] row : sample.rows) {
      bytes += 1 + Integer.BYTES + packer.pack(row).length;
    }
    return (double) bytes / sample.rows.length;
  }

  /** Restores the learner from the parts and solves its head. */
  @Benchmark
  @Warmup(iterations = 1)
  @Measurement(iterations = 5)
  public double restore() {
    try (AnalyticLearner restored = AnalyticLearner.restore(settings, parts)) {
      return restored.weights().values()[0];
    }
  }

  private void checkpoint(Map<String, byte[]> changed) {
    changed.forEach((key, value) -> parts.compute(key, (k, old) -> value));
  }
}
