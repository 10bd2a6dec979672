package io.lethe.learners.hypernet;

import io.lethe.learners.refresh.RefreshSettings;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * A measurement tool, not a test: streams Split Fashion-MNIST (5 tasks of 2 classes, one pass) into
 * the hypernetwork learner, prints the task-incremental accuracy matrix, throughput and the erasure
 * protocol of issue 4 (learn 0-2, erase 1, learn 3-4). It carries a minimal IDX reader of its own
 * until the shared data package and evaluation of issue 3 arrive; then it should become a thin
 * adapter to them.
 *
 * <p>Arguments as key=value: dir, trunk (e.g. 64,128), chunk, beta, gamma, steps (per micro-batch),
 * micro (micro-batch size), batch, seed, refresh (on/off), unlearn (refresh step), threads, erase
 * (on/off), guard (relapse guard on/off), tasks.
 */
final class SplitFashionMnistExperiment {

  private record Split(float[][] x, int[] y) {}

  private SplitFashionMnistExperiment() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      opts.put(kv[0], kv[1]);
    }
    Path dir = Path.of(opts.getOrDefault("dir", "/usr/share/datasets/fashion-mnist"));
    Split train = read(dir, "train");
    Split test = read(dir, "t10k");
    int tasks = Integer.parseInt(opts.getOrDefault("tasks", "5"));
    boolean erase = opts.getOrDefault("erase", "off").equals("on");
    int micro = Integer.parseInt(opts.getOrDefault("micro", "64"));
    HypernetSettings.Builder builder = HypernetSettings.builder(784);
    if (opts.containsKey("trunk")) {
      builder.optTrunkHidden(ints(opts.get("trunk")));
    }
    if (opts.containsKey("hidden")) {
      builder.optTargetHidden(ints(opts.get("hidden")));
    }
    if (opts.containsKey("chunk")) {
      builder.optChunkSize(Integer.parseInt(opts.get("chunk")));
    }
    if (opts.containsKey("beta")) {
      builder.optBeta(Double.parseDouble(opts.get("beta")));
    }
    if (opts.containsKey("gamma")) {
      builder.optGamma(Double.parseDouble(opts.get("gamma")));
    }
    if (opts.containsKey("steps")) {
      builder.optStepsPerBatch(Integer.parseInt(opts.get("steps")));
    }
    if (opts.containsKey("batch")) {
      builder.optBatchSize(Integer.parseInt(opts.get("batch")));
    }
    if (opts.containsKey("guard")) {
      builder.optRelapseGuard(opts.get("guard").equals("on"));
    }
    if (opts.containsKey("threads")) {
      builder.optIntraOpThreads(Integer.parseInt(opts.get("threads")));
    }
    long seed = Long.parseLong(opts.getOrDefault("seed", "0"));
    builder.optSeed(seed);
    if (opts.getOrDefault("refresh", "off").equals("on")) {
      RefreshSettings on = RefreshSettings.enabledDefaults();
      if (opts.containsKey("unlearn")) {
        on =
            new RefreshSettings(
                true,
                on.interval(),
                Double.parseDouble(opts.get("unlearn")),
                on.noiseScale(),
                on.fisherDamping(),
                on.fisherDecay(),
                on.fisherBatchSize());
      }
      builder.optRefresh(on);
    }
    HypernetSettings settings = builder.build();
    System.out.println("settings " + settings);
    System.out.println(
        "target weights "
            + settings.architecture().targetParameterCount()
            + ", chunks "
            + settings.architecture().chunkCount());

    List<Split> trainTasks = new ArrayList<>();
    List<Split> testTasks = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      trainTasks.add(task(train, t, new Random(seed + 100 + t)));
      testTasks.add(task(test, t, null));
    }
    double[][] matrix = new double[tasks][tasks];
    long learnNanos = 0;
    long samples = 0;
    long steps = 0;
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      for (int t = 0; t < tasks; t++) {
        String name = "task-" + t;
        Split data = trainTasks.get(t);
        long start = System.nanoTime();
        for (int from = 0; from < data.x().length; from += micro) {
          int to = Math.min(from + micro, data.x().length);
          LearnReport report =
              learner.learn(
                  name,
                  Arrays.copyOfRange(data.x(), from, to),
                  Arrays.copyOfRange(data.y(), from, to));
          steps += report.steps();
          samples += report.samples();
        }
        learner.finishTask(name);
        learnNanos += System.nanoTime() - start;
        for (int j = 0; j <= t; j++) {
          matrix[t][j] = accuracy(learner, "task-" + j, testTasks.get(j));
        }
        System.out.printf(
            Locale.ROOT,
            "after task %d: %s  (%.1f s so far)%n",
            t,
            Arrays.toString(Arrays.copyOf(matrix[t], t + 1)),
            learnNanos / 1e9);
        if (erase && t == 2) {
          double[] before = new double[3];
          for (int j = 0; j < 3; j++) {
            before[j] = accuracy(learner, "task-" + j, testTasks.get(j));
          }
          EraseReport report = learner.eraseTask("task-1");
          System.out.printf(
              Locale.ROOT,
              "erase task-1: %d steps in %.2f s; before %s; after task-0 %.4f task-1 %.4f"
                  + " task-2 %.4f%n",
              report.steps(),
              report.seconds(),
              Arrays.toString(before),
              accuracy(learner, "task-0", testTasks.get(0)),
              accuracy(learner, "task-1", testTasks.get(1)),
              accuracy(learner, "task-2", testTasks.get(2)));
        }
      }
      if (erase) {
        System.out.printf(
            Locale.ROOT,
            "erased task-1 after all tasks: %.4f%n",
            accuracy(learner, "task-1", testTasks.get(1)));
      }
    }
    double average = 0;
    double bwt = 0;
    for (int j = 0; j < tasks; j++) {
      average += matrix[tasks - 1][j] / tasks;
      if (j < tasks - 1) {
        bwt += (matrix[tasks - 1][j] - matrix[j][j]) / (tasks - 1);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "average accuracy %.4f, bwt %.4f, %.1f samples/s, %.1f steps/s%n",
        average,
        bwt,
        samples / (learnNanos / 1e9),
        steps / (learnNanos / 1e9));
  }

  private static double accuracy(HypernetLearner learner, String name, Split split) {
    return SyntheticTasks.accuracy(learner.auditPredict(name, split.x()), split.y());
  }

  /** Samples of classes 2t and 2t+1, labelled 0/1 within the task, shuffled if random given. */
  private static Split task(Split all, int t, Random shuffle) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < all.y().length; i++) {
      if (all.y()[i] / 2 == t) {
        rows.add(i);
      }
    }
    if (shuffle != null) {
      java.util.Collections.shuffle(rows, shuffle);
    }
    float[][] x = new float[rows.size()][];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      x[i] = all.x()[rows.get(i)];
      y[i] = all.y()[rows.get(i)] % 2;
    }
    return new Split(x, y);
  }

  private static Split read(Path dir, String prefix) throws IOException {
    float[][] x;
    try (DataInputStream in = gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
      in.readInt();
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      byte[] pixels = in.readNBytes(n * rows * cols);
      x = new float[n][rows * cols];
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < rows * cols; p++) {
          x[i][p] = (pixels[i * rows * cols + p] & 0xff) / 255f;
        }
      }
    }
    int[] y;
    try (DataInputStream in = gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      in.readInt();
      int n = in.readInt();
      byte[] labels = in.readNBytes(n);
      y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = labels[i];
      }
    }
    return new Split(x, y);
  }

  private static DataInputStream gz(Path path) throws IOException {
    InputStream raw = Files.newInputStream(path);
    return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
  }

  private static List<Integer> ints(String csv) {
    return Arrays.stream(csv.split(",")).map(Integer::valueOf).toList();
  }
}
