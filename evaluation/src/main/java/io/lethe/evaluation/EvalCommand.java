package io.lethe.evaluation;

import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.refresh.RefreshSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lethe eval <learner> --json FILE [options]}: runs a learner's Split Fashion-MNIST
 * evaluation and writes the JSON report. Exit code 0 on success, 2 on a usage error, 1 otherwise.
 */
public final class EvalCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: lethe eval analytic --json FILE [options]",
          "       lethe eval hypernet --json FILE [hypernet options]",
          "",
          "analytic options:",
          "  --json FILE            where to write the report (required)",
          "  --buffer-size N        buffer width d_E (default "
              + AnalyticSettings.DEFAULT_BUFFER_SIZE
              + ")",
          "  --data DIR             Fashion-MNIST IDX directory (default $"
              + FashionMnist.DIRECTORY_ENV,
          "                         or " + FashionMnist.DEFAULT_DIRECTORY + ")",
          "  --buffer-seed N        seed of the buffer layer (default 42)",
          "  --shuffle-seed N       seed of the per-task shuffle (default 7)",
          "  --task-order LIST      e.g. 4,3,2,1,0 (default 0,1,2,3,4)",
          "  --batch-size N         samples per learned batch (default 2000)",
          "  --gammas LIST          candidate gammas, chosen on a validation split of the training",
          "                         set (default 0.01,0.1,1,10,100)",
          "",
          "hypernet options (task-incremental; learner defaults in learners/HYPERNET.md):",
          "  --json FILE            where to write the report (required)",
          "  --data DIR             Fashion-MNIST IDX directory (as above)",
          "  --seed N               seed of the learner and the per-task shuffle (default 0)",
          "  --refresh on|off       refresh learning (default off)",
          "  --beta X               strength of the stability term (default 0.1; 0: none)",
          "  --micro-batch N        samples per learned micro-batch (default 64)",
          "  --train-per-task N     learn at most N samples per task (default: all)",
          "  --test-per-task N      test on at most N samples per task (default: all)");

  private EvalCommand() {}

  /** Entry point. */
  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (UsageException e) {
      System.err.println("lethe eval: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("lethe eval: " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args) throws UsageException {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      System.out.println(USAGE);
      return 0;
    }
    if (args[0].equals("hypernet")) {
      return runHypernet(args);
    }
    if (!args[0].equals("analytic")) {
      throw new UsageException("unknown learner '" + args[0] + "'; available: analytic, hypernet");
    }
    Path json = null;
    Path dataDir = FashionMnist.defaultDirectory();
    AnalyticEvaluation.Options options =
        AnalyticEvaluation.Options.defaults(AnalyticSettings.DEFAULT_BUFFER_SIZE);
    long bufferSeed = options.bufferSeed();
    int bufferSize = options.bufferSize();
    List<Double> gammas = options.gammas();
    SplitTaskStream.Options stream = options.stream();
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value");
      }
      String value = args[++i];
      try {
        switch (flag) {
          case "--json" -> json = Path.of(value);
          case "--data" -> dataDir = Path.of(value);
          case "--buffer-size" -> bufferSize = Integer.parseInt(value);
          case "--buffer-seed" -> bufferSeed = Long.parseLong(value);
          case "--shuffle-seed" ->
              stream =
                  new SplitTaskStream.Options(
                      stream.split(),
                      stream.order(),
                      Long.parseLong(value),
                      stream.batchSize(),
                      stream.subjects());
          case "--task-order" ->
              stream =
                  stream.withOrder(
                      Arrays.stream(value.split(","))
                          .map(String::trim)
                          .map(Integer::valueOf)
                          .toList());
          case "--batch-size" ->
              stream =
                  new SplitTaskStream.Options(
                      stream.split(),
                      stream.order(),
                      stream.shuffleSeed(),
                      Integer.parseInt(value),
                      stream.subjects());
          case "--gammas" -> {
            List<Double> parsed = new ArrayList<>();
            for (String g : value.split(",")) {
              parsed.add(Double.valueOf(g.trim()));
            }
            gammas = parsed;
          }
          default -> throw new UsageException("unknown option " + flag);
        }
      } catch (NumberFormatException e) {
        throw new UsageException(flag + " '" + value + "' is not a number");
      } catch (IllegalArgumentException e) {
        throw new UsageException(flag + ": " + e.getMessage());
      }
    }
    if (json == null) {
      throw new UsageException("--json FILE is required");
    }
    options =
        new AnalyticEvaluation.Options(
            bufferSeed,
            bufferSize,
            gammas,
            options.validationFraction(),
            stream,
            options.erasedSubjects());
    FashionMnist data = FashionMnist.load(dataDir);
    EvalReport report =
        new AnalyticEvaluation(data, options, line -> System.err.println("[eval] " + line)).run();
    try {
      report.write(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + json, e);
    }
    System.out.printf(
        "analytic d_E=%d: average accuracy %.4f, joint %.4f, bwt %.4f, exactness %s, erase/retrain"
            + " time ratio %.0f; report in %s%n",
        bufferSize,
        report.averageAccuracy(),
        report.jointAccuracy(),
        report.bwt(),
        report.exactness(),
        report.eraseVsRetrainTimeRatio(),
        json);
    return 0;
  }

  static int runHypernet(String[] args) throws UsageException {
    Path json = null;
    Path dataDir = FashionMnist.defaultDirectory();
    long seed = 0;
    boolean refresh = false;
    Double beta = null;
    int microBatch = 64;
    int trainPerTask = 0;
    int testPerTask = 0;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value");
      }
      String value = args[++i];
      try {
        switch (flag) {
          case "--json" -> json = Path.of(value);
          case "--data" -> dataDir = Path.of(value);
          case "--seed" -> seed = Long.parseLong(value);
          case "--refresh" ->
              refresh =
                  switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new UsageException("--refresh takes on or off, not " + value);
                  };
          case "--beta" -> beta = Double.valueOf(value);
          case "--micro-batch" -> microBatch = Integer.parseInt(value);
          case "--train-per-task" -> trainPerTask = Integer.parseInt(value);
          case "--test-per-task" -> testPerTask = Integer.parseInt(value);
          default -> throw new UsageException("unknown option " + flag);
        }
      } catch (NumberFormatException e) {
        throw new UsageException(flag + " '" + value + "' is not a number");
      }
    }
    if (json == null) {
      throw new UsageException("--json FILE is required");
    }
    HypernetEvaluation.Options options;
    try {
      HypernetSettings.Builder settings =
          HypernetSettings.builder(FashionMnist.FEATURES).optSeed(seed);
      if (refresh) {
        settings.optRefresh(RefreshSettings.enabledDefaults());
      }
      if (beta != null) {
        settings.optBeta(beta);
      }
      options =
          new HypernetEvaluation.Options(
              settings.build(),
              SplitTaskStream.Options.fashionMnist(seed, microBatch),
              trainPerTask,
              testPerTask);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    FashionMnist data = FashionMnist.load(dataDir);
    HypernetEvaluation.Report report =
        new HypernetEvaluation(data, options, line -> System.err.println("[eval] " + line)).run();
    try {
      report.write(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + json, e);
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "hypernet seed %d refresh %s: average accuracy %.4f, bwt %.4f, %.0f samples/s; erased task"
            + " %s: %.4f after, %.4f after two more tasks, erase %.2f s; report in %s%n",
        seed,
        refresh ? "on" : "off",
        report.averageAccuracy(),
        report.bwt(),
        report.samplesPerSecond(),
        report.erasure().erasedTask(),
        report.erasure().erasedAccuracyAfter(),
        report.erasure().erasedAccuracyAfterTwoMoreTasks(),
        report.eraseSeconds(),
        json);
    return 0;
  }

  /** A command-line mistake: printed with the usage. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }
}
