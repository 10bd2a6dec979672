package io.lethe.evaluation;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.IdxDataSet;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.refresh.RefreshSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code lethe eval analytic|hypernet --report FILE [options]}: runs a learner's evaluation on a
 * split data set (by default Split Fashion-MNIST) and writes the JSON report.
 */
@Command(
    name = "lethe eval",
    description =
        "Runs a learner's evaluation on a split data set (by default Split Fashion-MNIST) and"
            + " writes the JSON report.",
    subcommands = {
      EvalCommand.Analytic.class,
      EvalCommand.Hypernet.class,
      EvalCommand.HypernetForget.class,
      HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:report written", "1:the evaluation failed", "2:a bad command line"})
public final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe eval} with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new EvalCommand(), args);
  }

  /** Without a learner: the usage. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Cli.OK;
  }

  /** The options both evaluations share. */
  static final class Common {
    @Option(
        names = "--report",
        paramLabel = "FILE",
        description = "Where to write the JSON report (required).")
    Path report;

    /** The older name of {@code --report}. */
    @Option(names = "--json", hidden = true)
    Path json;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description =
            "Directory of the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,"
                + " t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each .gz or not); default:"
                + " Fashion-MNIST from $"
                + FashionMnist.DIRECTORY_ENV
                + " or /usr/share/datasets/fashion-mnist.")
    Path data;

    @Option(
        names = "--features",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "" + FashionMnist.FEATURES,
        description = "Features per sample (pixels per image).")
    int features;

    @Option(
        names = "--tasks",
        paramLabel = "SPLIT",
        converter = TaskSplit.Converter.class,
        defaultValue = TaskSplit.FASHION_MNIST,
        description =
            "The classes split into tasks: each task's classes separated by commas, tasks by"
                + " slashes; at least 2 tasks of at least 2 classes, no class in two tasks, every"
                + " class of the data in a task.")
    TaskSplit tasks;

    /**
     * The report file.
     *
     * @throws ParameterException if neither {@code --report} nor {@code --json} is given
     */
    Path report(CommandSpec spec) {
      if (report == null && json == null) {
        throw new ParameterException(
            spec.commandLine(), "Missing required option: '--report=FILE'");
      }
      return report != null ? report : json;
    }

    /**
     * Loads and checks the data.
     *
     * @throws ParameterException naming {@code --data} and the cause if it cannot be read or does
     *     not match {@code --features} and {@code --tasks}
     */
    EvalData load(CommandSpec spec) {
      Path directory = data != null ? data : FashionMnist.defaultDirectory();
      try {
        return EvalData.load(directory, features, tasks);
      } catch (IdxDataSet.LoadException e) {
        String hint =
            data != null
                ? ""
                : "; install Fashion-MNIST with `sudo apt-get update && sudo apt-get install -y"
                    + " dataset-fashion-mnist`, set "
                    + FashionMnist.DIRECTORY_ENV
                    + ", or give --data";
        throw new ParameterException(spec.commandLine(), e.getMessage() + hint, e);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
  }

  @Command(
      name = "analytic",
      description = "The analytic learner, class-incremental, with exact erasure.")
  static final class Analytic implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StandardOptions standard;
    @Mixin Common common;

    @Option(
        names = "--buffer-size",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "" + AnalyticSettings.DEFAULT_BUFFER_SIZE,
        description = "Buffer width d_E.")
    int bufferSize;

    @Option(
        names = {"--seed", "--buffer-seed"},
        paramLabel = "N",
        defaultValue = "42",
        description = "Seed of the buffer layer (AnalyticSettings' seed).")
    long bufferSeed;

    @Option(
        names = "--shuffle-seed",
        paramLabel = "N",
        defaultValue = "7",
        description = "Seed of the per-task shuffle.")
    long shuffleSeed;

    @Option(
        names = "--task-order",
        paramLabel = "TASK",
        split = ",",
        description =
            "Order of the tasks by their position in --tasks, e.g. 4,3,2,1,0 (default: split"
                + " order).")
    List<Integer> taskOrder;

    @Option(
        names = "--batch-size",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "2000",
        description = "Samples per learned batch.")
    int batchSize;

    @Option(
        names = "--gammas",
        paramLabel = "X",
        split = ",",
        description =
            "Candidate gammas, chosen on a validation split of the training set (default"
                + " 0.01,0.1,1,10,100).")
    List<Double> gammas;

    @Override
    public Integer call() {
      Path report = common.report(spec);
      AnalyticEvaluation.Options defaults = AnalyticEvaluation.Options.defaults(bufferSize);
      SplitTaskStream.Options stream = defaults.stream();
      AnalyticEvaluation.Options options;
      try {
        stream = common.tasks.stream(shuffleSeed, batchSize, stream.subjects());
        if (taskOrder != null) {
          stream = stream.withOrder(taskOrder);
        }
        options =
            new AnalyticEvaluation.Options(
                bufferSeed,
                bufferSize,
                gammas != null ? gammas : defaults.gammas(),
                defaults.validationFraction(),
                stream,
                defaults.erasedSubjects());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      EvalData data = common.load(spec);
      EvalReport result =
          new AnalyticEvaluation(data, options, line -> System.err.println("[eval] " + line)).run();
      write(report, result::write);
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "analytic d_E=%d: average accuracy %.4f, joint %.4f, bwt %.4f, exactness %s,"
                  + " erase/retrain time ratio %.0f; report in %s%n",
              bufferSize,
              result.averageAccuracy(),
              result.jointAccuracy(),
              result.bwt(),
              result.exactness(),
              result.eraseVsRetrainTimeRatio(),
              report);
      return Cli.OK;
    }
  }

  @Command(
      name = "hypernet",
      description =
          "The hypernetwork learner, task-incremental (learner defaults in learners/HYPERNET.md).")
  static final class Hypernet implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StandardOptions standard;
    @Mixin Common common;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "0",
        description = "Seed of the learner and the per-task shuffle.")
    long seed;

    @Option(
        names = "--refresh",
        paramLabel = "on|off",
        converter = OnOff.class,
        defaultValue = "off",
        description = "Refresh learning.")
    String refresh;

    @Option(
        names = "--beta",
        paramLabel = "X",
        description = "Strength of the stability term (default 0.1; 0: none).")
    Double beta;

    @Option(
        names = "--micro-batch",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "64",
        description = "Samples per learned micro-batch.")
    int microBatch;

    @Option(
        names = "--samples-per-task",
        paramLabel = "N",
        converter = Count.class,
        defaultValue = "0",
        description =
            "Learn at most N training samples per task, the first N of its shuffled stream (0:"
                + " all); small tasks.")
    int samplesPerTask;

    @Option(
        names = "--permuted-tasks",
        paramLabel = "N",
        converter = PermutedCount.class,
        defaultValue = "0",
        description =
            "Instead of the split's tasks, N tasks that each hold every class of --tasks, task k"
                + " with its features in a fixed order of its own (task 0 as they are); 0: off.")
    int permutedTasks;

    /** The older name of {@code --samples-per-task}. */
    @Option(names = "--train-per-task", hidden = true, converter = Count.class)
    Integer trainPerTask;

    @Option(
        names = "--test-per-task",
        paramLabel = "N",
        converter = Count.class,
        defaultValue = "0",
        description = "Test on at most N samples per task (0: all).")
    int testPerTask;

    @Override
    public Integer call() {
      Path report = common.report(spec);
      HypernetEvaluation.Options options = options();
      EvalData data = common.load(spec);
      HypernetEvaluation.Report result =
          new HypernetEvaluation(data, options, line -> System.err.println("[eval] " + line)).run();
      write(report, result::write);
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "hypernet seed %d refresh %s: average accuracy %.4f, bwt %.4f, %.0f samples/s; erased"
                  + " task %s: %.4f after (chance %.4f, its test set's majority class share), %.4f"
                  + " after the remaining tasks, erase %.2f s; report in %s%n",
              seed,
              refresh,
              result.averageAccuracy(),
              result.bwt(),
              result.samplesPerSecond(),
              result.erasure().erasedTask(),
              result.erasure().erasedAccuracyAfter(),
              result.erasure().chanceAccuracy(),
              result.erasure().erasedAccuracyAfterTwoMoreTasks(),
              result.eraseSeconds(),
              report);
      return Cli.OK;
    }

    /**
     * The evaluation's options from the command line.
     *
     * @throws ParameterException if they do not fit together
     */
    HypernetEvaluation.Options options() {
      try {
        boolean permuted = permutedTasks > 0;
        HypernetSettings.Builder settings =
            HypernetSettings.builder(common.features)
                .optClassesPerTask(
                    permuted ? common.tasks.classes().size() : common.tasks.maxClassesPerTask())
                .optSeed(seed);
        if (refresh.equals("on")) {
          settings.optRefresh(RefreshSettings.enabledDefaults());
        }
        if (beta != null) {
          settings.optBeta(beta);
        }
        return new HypernetEvaluation.Options(
            settings.build(),
            permuted
                ? PermutedTasks.stream(permutedTasks, common.tasks, seed, microBatch, SUBJECTS)
                : common.tasks.stream(seed, microBatch, SUBJECTS),
            trainPerTask != null ? trainPerTask : samplesPerTask,
            testPerTask,
            permuted);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Command(
      name = "hypernet-forget",
      description =
          "The audit of the hypernetwork's subject erasure: a loss-based membership-inference"
              + " test and the comparison with a model retrained without the subject"
              + " (learners/HYPERNET.md).")
  static final class HypernetForget implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StandardOptions standard;
    @Mixin Common common;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "0",
        description = "Seed of the learner, the per-task shuffle and the choice of subjects.")
    long seed;

    @Option(
        names = "--audit-tasks",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "3",
        description = "Learn the first N tasks of the split.")
    int tasks;

    @Option(
        names = "--samples-per-task",
        paramLabel = "N",
        converter = Count.class,
        defaultValue = "2000",
        description = "Learn at most N training samples per task (0: all); the demo's 2,000.")
    int samplesPerTask;

    @Option(
        names = "--subjects",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "50",
        description =
            "Distinct subjects the samples belong to (row index modulo N): a subject holds about"
                + " 1/N of each task.")
    int subjects;

    @Option(
        names = "--erased-subjects",
        paramLabel = "N",
        converter = Values.Positive.class,
        defaultValue = "3",
        description = "Subjects erased, one at a time, each from the same learned model.")
    int erasedSubjects;

    @Option(
        names = "--forget-steps",
        paramLabel = "N",
        converter = Count.class,
        description =
            "Steps that learn a task again after the subject's samples are erased (the learner's"
                + " forget-steps, default 250; 0: steps-per-task).")
    Integer forgetSteps;

    @Override
    public Integer call() {
      Path report = common.report(spec);
      HypernetForgetAudit.Options options;
      try {
        options =
            new HypernetForgetAudit.Options(
                HypernetSettings.builder(common.features)
                    .optClassesPerTask(common.tasks.maxClassesPerTask())
                    .optSeed(seed)
                    .optForgetSteps(
                        forgetSteps != null
                            ? forgetSteps
                            : HypernetSettings.FORGET_STEPS.defaultValue().orElseThrow())
                    .build(),
                common.tasks.stream(seed, 64, subjects),
                tasks,
                samplesPerTask,
                erasedSubjects);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      EvalData data = common.load(spec);
      HypernetForgetAudit.Report result;
      try {
        result =
            new HypernetForgetAudit(data, options, line -> System.err.println("[eval] " + line))
                .run();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      write(report, result::write);
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "hypernet forget seed %d, %d subjects: membership AUC original %.3f, forgotten %.3f,"
                  + " retrained %.3f; accuracy on the erased samples %.3f, %.3f, %.3f; test"
                  + " accuracy %.4f, %.4f, %.4f; report in %s%n",
              seed,
              result.subjects().size(),
              result.meanAuc().get("original"),
              result.meanAuc().get("forgotten"),
              result.meanAuc().get("retrained"),
              result.meanErasedAccuracy().get("original"),
              result.meanErasedAccuracy().get("forgotten"),
              result.meanErasedAccuracy().get("retrained"),
              result.meanTestAccuracy().get("original"),
              result.meanTestAccuracy().get("forgotten"),
              result.meanTestAccuracy().get("retrained"),
              report);
      return Cli.OK;
    }
  }

  /** Distinct subject ids of the hypernetwork's stream, as in Split Fashion-MNIST's defaults. */
  private static final int SUBJECTS = 1000;

  /** Something that writes a report to a file. */
  private interface ReportWriter {
    void write(Path file) throws IOException;
  }

  private static void write(Path file, ReportWriter writer) {
    try {
      writer.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** {@code on} or {@code off}. */
  static final class OnOff implements ITypeConverter<String> {
    @Override
    public String convert(String text) {
      if (!text.equals("on") && !text.equals("off")) {
        throw new TypeConversionException("'" + text + "' is not on or off");
      }
      return text;
    }
  }

  /** A number of permuted tasks: 0 (off) or at least 2. */
  static final class PermutedCount implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      int count;
      try {
        count = Integer.parseInt(text.strip());
      } catch (NumberFormatException e) {
        count = -1;
      }
      if (count != 0 && count < 2) {
        throw new TypeConversionException(
            "'" + text + "' is not 0 (off) or a whole number of tasks from 2 to 2147483647");
      }
      return count;
    }
  }

  /** A count, 0 meaning all. */
  static final class Count extends Values.IntRange {
    Count() {
      super(0, Integer.MAX_VALUE);
    }
  }
}
