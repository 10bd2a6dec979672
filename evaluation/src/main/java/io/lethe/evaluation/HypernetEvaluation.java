package io.lethe.evaluation;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.EraseReport;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.hypernet.LearnReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The hypernetwork learner's evaluation on a split data set (by default Split Fashion-MNIST),
 * task-incremental: (a) the tasks learned in order, one pass over each task's stream in
 * micro-batches, giving the accuracy matrix, average accuracy and backward transfer; (b) on a fresh
 * learner, the erasure protocol: learn the first three tasks, erase the second, learn the rest, and
 * audit the erased task. With {@link Options#permuted()}, the tasks are {@link PermutedTasks}: each
 * holds every class, its features in an order of its own.
 *
 * <p>Labels are mapped to 0..classes-1 within each task by the task's class list; the learner is
 * told the task at prediction time.
 */
final class HypernetEvaluation {

  /** Stream position of the task the erasure protocol erases (the second task). */
  public static final int ERASED_POSITION = 1;

  /** Tasks learned before the erasure (capped at the number of tasks). */
  public static final int TASKS_BEFORE_ERASURE = 3;

  private final EvalData data;
  private final Options options;
  private final Consumer<String> log;

  /**
   * What to run.
   *
   * @param settings the learner's settings (seed and refresh included)
   * @param stream task order, shuffle seed and micro-batch size of the training stream
   * @param trainSamplesPerTask learn at most this many samples per task (0: all)
   * @param testSamplesPerTask test on at most this many samples per task (0: all)
   * @param permuted whether each task's features are permuted by {@link PermutedTasks} (the
   *     permutation of the task's split position)
   */
  public record Options(
      HypernetSettings settings,
      SplitTaskStream.Options stream,
      int trainSamplesPerTask,
      int testSamplesPerTask,
      boolean permuted) {
    /** Validates. */
    public Options {
      if (stream.order().size() < 2) {
        throw new IllegalArgumentException(
            "the erasure protocol needs at least 2 tasks, got " + stream.order());
      }
      if (trainSamplesPerTask < 0 || testSamplesPerTask < 0) {
        throw new IllegalArgumentException("samples per task must be >= 0 (0: all)");
      }
    }

    /** Tasks as they are, not permuted. */
    public Options(
        HypernetSettings settings,
        SplitTaskStream.Options stream,
        int trainSamplesPerTask,
        int testSamplesPerTask) {
      this(settings, stream, trainSamplesPerTask, testSamplesPerTask, false);
    }

    /**
     * The protocol's defaults: learner defaults with {@code seed} and refresh on or off, the five
     * tasks in split order shuffled with {@code seed}, micro-batches of 64, all samples.
     */
    public static Options defaults(long seed, boolean refresh) {
      HypernetSettings.Builder builder =
          HypernetSettings.builder(FashionMnist.FEATURES).optSeed(seed);
      if (refresh) {
        builder.optRefresh(io.lethe.learners.refresh.RefreshSettings.enabledDefaults());
      }
      return new Options(builder.build(), SplitTaskStream.Options.fashionMnist(seed, 64), 0, 0);
    }
  }

  /**
   * The JSON report of {@code lethe eval hypernet}; written in snake_case.
   *
   * @param learner "hypernet"
   * @param seed the learner's and the stream's seed
   * @param refresh whether refresh learning was on
   * @param settings every learner setting under its declared key ({@link
   *     HypernetSettings#SETTINGS})
   * @param protocol the evaluation protocol's stream parameters and sizes
   * @param tasks task ids in stream order
   * @param accuracyMatrix task-incremental accuracy on task j (column) after learning task i (row);
   *     null for tasks not learned yet
   * @param averageAccuracy mean accuracy over all tasks after the last
   * @param bwt backward transfer
   * @param forgetting average forgetting
   * @param samplesPerSecond samples learned per second in (a), learning time only
   * @param stepsPerSecond optimizer steps per second in (a), learning time only
   * @param eraseSeconds wall-clock time of the erasure in (b)
   * @param erasure the erasure protocol's accuracies
   */
  public record Report(
      String learner,
      long seed,
      boolean refresh,
      Map<String, Object> settings,
      Map<String, Object> protocol,
      List<String> tasks,
      List<List<Double>> accuracyMatrix,
      double averageAccuracy,
      double bwt,
      double forgetting,
      double samplesPerSecond,
      double stepsPerSecond,
      double eraseSeconds,
      Erasure erasure) {

    /** Writes the report as pretty-printed JSON. */
    public void write(Path file) throws IOException {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      EvalReport.mapper().writeValue(file.toFile(), this);
    }
  }

  /**
   * Accuracies of the erasure protocol (learn the first tasks, erase one, learn the rest).
   *
   * @param erasedTask the erased task's id
   * @param erasedAccuracyBefore its accuracy right before the erasure
   * @param erasedAccuracyAfter its accuracy right after (audit predictions)
   * @param chanceBaseline how {@code chanceAccuracy} was measured ({@link #CHANCE_BASELINE})
   * @param chanceAccuracy accuracy of the best constant prediction on the erased task's test set,
   *     its majority class share: what "at chance" means for that task
   * @param retainedAccuracyBefore accuracy per retained task right before the erasure
   * @param retainedAccuracyAfter the same right after
   * @param maxRetainedDrop largest drop of a retained task's accuracy through the erasure
   * @param tasksLearnedAfterErasure number of tasks learned after the erasure (2 for 5 tasks)
   * @param erasedAccuracyAfterTwoMoreTasks the erased task's accuracy after those tasks
   * @param eraseSteps optimizer steps of the erasure
   * @param eraseSeconds wall-clock time of the erasure
   */
  public record Erasure(
      String erasedTask,
      double erasedAccuracyBefore,
      double erasedAccuracyAfter,
      String chanceBaseline,
      double chanceAccuracy,
      Map<String, Double> retainedAccuracyBefore,
      Map<String, Double> retainedAccuracyAfter,
      double maxRetainedDrop,
      int tasksLearnedAfterErasure,
      double erasedAccuracyAfterTwoMoreTasks,
      int eraseSteps,
      double eraseSeconds) {

    /** What {@link #chanceAccuracy} is, as the report names it. */
    public static final String CHANCE_BASELINE =
        "majority class share of the erased task's test set";
  }

  /** Prepares an evaluation; {@code log} receives one line per step. */
  public HypernetEvaluation(EvalData data, Options options, Consumer<String> log) {
    this.data = data;
    this.options = options;
    this.log = log;
  }

  /** Runs both protocols and returns the report. */
  public Report run() {
    SplitTaskStream train = new SplitTaskStream(data.train(), options.stream());
    SplitTaskStream test = new SplitTaskStream(data.test(), options.stream());
    List<SplitTaskStream.Task> tasks = train.tasks();
    List<List<LabeledBatch>> trainBatches = new ArrayList<>();
    List<LabeledSet> testSets = new ArrayList<>();
    for (SplitTaskStream.Task task : tasks) {
      List<LabeledBatch> batches = limit(train.batches(task), options.trainSamplesPerTask());
      LabeledSet testSet =
          limit(withinTask(test.taskSet(task), task), options.testSamplesPerTask());
      if (options.permuted()) {
        int permutation = Integer.parseInt(task.id());
        batches = PermutedTasks.apply(permutation, batches);
        testSet = PermutedTasks.apply(permutation, testSet);
      }
      trainBatches.add(batches);
      testSets.add(testSet);
    }

    // (a) the tasks in order
    int n = tasks.size();
    List<List<Double>> full = new ArrayList<>();
    List<List<Double>> reported = new ArrayList<>();
    long learnNanos = 0;
    long samples = 0;
    long steps = 0;
    try (HypernetLearner learner = new HypernetLearner(options.settings())) {
      for (int i = 0; i < n; i++) {
        SplitTaskStream.Task task = tasks.get(i);
        long start = System.nanoTime();
        for (LabeledBatch batch : trainBatches.get(i)) {
          LearnReport report = learn(learner, task, batch);
          samples += report.samples();
          steps += report.steps();
        }
        // as in the stream: a task trains to its step budget before it is finished
        steps += learner.trainToBudget(Long.MAX_VALUE);
        learner.finishTask(task.id());
        learnNanos += System.nanoTime() - start;
        List<Double> row = new ArrayList<>();
        List<Double> shown = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          double accuracy = j <= i ? accuracy(learner, tasks.get(j), testSets.get(j)) : 0.0;
          row.add(accuracy);
          shown.add(j <= i ? accuracy : null);
        }
        full.add(row);
        reported.add(shown);
        log.accept("after task " + task.id() + ": " + shown.subList(0, i + 1));
      }
    }
    AccuracyMatrix matrix =
        new AccuracyMatrix(tasks.stream().map(SplitTaskStream.Task::id).toList(), full);
    double learnSeconds = learnNanos / 1e9;
    log.accept(
        String.format(
            java.util.Locale.ROOT,
            "average accuracy %.4f, bwt %.4f, %.1f samples/s",
            matrix.averageAccuracy(),
            matrix.backwardTransfer(),
            samples / learnSeconds));

    // (b) the erasure protocol on a fresh learner
    Erasure erasure = erasureProtocol(tasks, trainBatches, testSets);

    HypernetSettings s = options.settings();
    Map<String, Object> protocol = new LinkedHashMap<>();
    protocol.put("data", data.directory().toString());
    protocol.put("features", data.features());
    protocol.put("tasks", text(options.stream().split()));
    protocol.put("permuted", options.permuted());
    protocol.put("micro_batch_size", options.stream().batchSize());
    protocol.put("task_order", options.stream().order());
    protocol.put("shuffle_seed", options.stream().shuffleSeed());
    protocol.put("test_samples_per_task", testSets.stream().map(LabeledSet::size).toList());
    protocol.put("train_samples_per_task", trainBatches.stream().map(this::count).toList());
    return new Report(
        "hypernet",
        s.seed(),
        s.refresh().enabled(),
        s.values().asMap(),
        protocol,
        matrix.tasks(),
        reported,
        matrix.averageAccuracy(),
        matrix.backwardTransfer(),
        matrix.forgetting(),
        samples / learnSeconds,
        steps / learnSeconds,
        erasure.eraseSeconds(),
        erasure);
  }

  private Erasure erasureProtocol(
      List<SplitTaskStream.Task> tasks,
      List<List<LabeledBatch>> trainBatches,
      List<LabeledSet> testSets) {
    int before = Math.min(TASKS_BEFORE_ERASURE, tasks.size());
    SplitTaskStream.Task erased = tasks.get(ERASED_POSITION);
    LabeledSet erasedTest = testSets.get(ERASED_POSITION);
    try (HypernetLearner learner = new HypernetLearner(options.settings())) {
      for (int i = 0; i < before; i++) {
        learnTask(learner, tasks.get(i), trainBatches.get(i));
      }
      Map<String, Double> retainedBefore = new LinkedHashMap<>();
      for (int i = 0; i < before; i++) {
        if (i != ERASED_POSITION) {
          retainedBefore.put(tasks.get(i).id(), accuracy(learner, tasks.get(i), testSets.get(i)));
        }
      }
      double erasedBefore = auditAccuracy(learner, erased, erasedTest);
      EraseReport report = learner.eraseTask(erased.id());
      double erasedAfter = auditAccuracy(learner, erased, erasedTest);
      Map<String, Double> retainedAfter = new LinkedHashMap<>();
      double maxDrop = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < before; i++) {
        if (i != ERASED_POSITION) {
          String id = tasks.get(i).id();
          double after = accuracy(learner, tasks.get(i), testSets.get(i));
          retainedAfter.put(id, after);
          maxDrop = Math.max(maxDrop, retainedBefore.get(id) - after);
        }
      }
      log.accept(
          "erased task "
              + erased.id()
              + " in "
              + report.steps()
              + " steps, "
              + report.seconds()
              + " s: "
              + erasedBefore
              + " -> "
              + erasedAfter
              + "; retained "
              + retainedBefore
              + " -> "
              + retainedAfter);
      for (int i = before; i < tasks.size(); i++) {
        learnTask(learner, tasks.get(i), trainBatches.get(i));
      }
      double erasedLater = auditAccuracy(learner, erased, erasedTest);
      log.accept(
          "erased task "
              + erased.id()
              + " after "
              + (tasks.size() - before)
              + " more tasks: "
              + erasedLater);
      return new Erasure(
          erased.id(),
          erasedBefore,
          erasedAfter,
          Erasure.CHANCE_BASELINE,
          majorityShare(erasedTest.labels()),
          retainedBefore,
          retainedAfter,
          maxDrop,
          tasks.size() - before,
          erasedLater,
          report.steps(),
          report.seconds());
    }
  }

  static void learnTask(
      HypernetLearner learner, SplitTaskStream.Task task, List<LabeledBatch> batches) {
    for (LabeledBatch batch : batches) {
      learn(learner, task, batch);
    }
    learner.trainToBudget(Long.MAX_VALUE);
    learner.finishTask(task.id());
  }

  private static LearnReport learn(
      HypernetLearner learner, SplitTaskStream.Task task, LabeledBatch batch) {
    return learner.learn(task.id(), batch.features(), withinTask(batch.labels(), task));
  }

  private static double accuracy(
      HypernetLearner learner, SplitTaskStream.Task task, LabeledSet set) {
    return fraction(learner.predict(task.id(), set.features()), set.labels());
  }

  private static double auditAccuracy(
      HypernetLearner learner, SplitTaskStream.Task task, LabeledSet set) {
    return fraction(learner.auditPredict(task.id(), set.features()), set.labels());
  }

  static double fraction(int[] predicted, int[] labels) {
    return labels.length == 0
        ? 0
        : ContinualEvaluation.matches(predicted, labels) / (double) labels.length;
  }

  /**
   * Accuracy of the best constant prediction on {@code labels}: the share of its most frequent
   * label (0 for no labels). An erased task is at chance when its accuracy is about this; a
   * balanced two-class test set gives 0.5.
   */
  static double majorityShare(int[] labels) {
    if (labels.length == 0) {
      return 0;
    }
    Map<Integer, Integer> counts = new java.util.HashMap<>();
    int most = 0;
    for (int label : labels) {
      most = Math.max(most, counts.merge(label, 1, Integer::sum));
    }
    return most / (double) labels.length;
  }

  /** Global labels mapped to their position in the task's class list. */
  static int[] withinTask(int[] labels, SplitTaskStream.Task task) {
    int[] mapped = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int position = task.classes().indexOf(labels[i]);
      if (position < 0) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " is not in task " + task.id() + " " + task.classes());
      }
      mapped[i] = position;
    }
    return mapped;
  }

  static LabeledSet withinTask(LabeledSet set, SplitTaskStream.Task task) {
    return new LabeledSet(set.name(), set.features(), withinTask(set.labels(), task));
  }

  static LabeledSet limit(LabeledSet set, int max) {
    if (max == 0 || set.size() <= max) {
      return set;
    }
    return new LabeledSet(
        set.name(),
        Arrays.copyOfRange(set.features(), 0, max),
        Arrays.copyOfRange(set.labels(), 0, max));
  }

  /** The first batches holding {@code max} samples (the last one cut), all if {@code max} is 0. */
  static List<LabeledBatch> limit(List<LabeledBatch> batches, int max) {
    if (max == 0) {
      return batches;
    }
    List<LabeledBatch> kept = new ArrayList<>();
    int left = max;
    for (LabeledBatch batch : batches) {
      if (left <= 0) {
        break;
      }
      if (batch.size() <= left) {
        kept.add(batch);
      } else {
        kept.add(
            new LabeledBatch(
                batch.task(),
                batch.sampleIds().subList(0, left),
                batch.subjectIds().subList(0, left),
                Arrays.copyOfRange(batch.features(), 0, left),
                Arrays.copyOfRange(batch.labels(), 0, left)));
      }
      left -= batch.size();
    }
    return kept;
  }

  /** A split in {@code --tasks} syntax (tasks may share classes when permuted). */
  private static String text(List<List<Integer>> split) {
    return split.stream()
        .map(t -> t.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
        .collect(java.util.stream.Collectors.joining("/"));
  }

  private Integer count(List<LabeledBatch> batches) {
    return batches.stream().mapToInt(LabeledBatch::size).sum();
  }
}
