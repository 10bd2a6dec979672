package io.lethe.evaluation;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticScorer;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.HeadWeights;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitMix64;
import io.lethe.learners.data.SplitTaskStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The analytic learner's evaluation on a split data set (by default Split Fashion-MNIST): gamma
 * chosen on a validation split of the training set, the class-incremental accuracy matrix, the
 * joint model, and exactness of sample, subject and task erasure against retraining on the retained
 * data.
 */
final class AnalyticEvaluation {
  private final EvalData data;
  private final Options options;
  private final Consumer<String> log;

  /**
   * What to run.
   *
   * @param bufferSeed seed of the buffer layer
   * @param bufferSize d_E
   * @param gammas candidate gammas, chosen on the validation split
   * @param validationFraction fraction of the training set held out to choose gamma
   * @param stream task order, shuffle seed and batch size of the training stream
   * @param erasedSubjects number of subjects erased in the subject scope
   */
  public record Options(
      long bufferSeed,
      int bufferSize,
      List<Double> gammas,
      double validationFraction,
      SplitTaskStream.Options stream,
      int erasedSubjects) {
    /** Validates. */
    public Options {
      gammas = List.copyOf(gammas);
      if (gammas.isEmpty()) {
        throw new IllegalArgumentException("at least one gamma is needed");
      }
      if (!(validationFraction > 0 && validationFraction < 1)) {
        throw new IllegalArgumentException(
            "validation fraction is " + validationFraction + ", expected 0 < f < 1");
      }
    }

    /** The protocol's defaults at buffer size {@code bufferSize}. */
    public static Options defaults(int bufferSize) {
      return new Options(
          42L,
          bufferSize,
          List.of(0.01, 0.1, 1.0, 10.0, 100.0),
          0.1,
          SplitTaskStream.Options.fashionMnist(7L, 2000),
          3);
    }
  }

  /** Prepares an evaluation; {@code log} receives one line per step. */
  public AnalyticEvaluation(EvalData data, Options options, Consumer<String> log) {
    this.data = data;
    this.options = options;
    this.log = log;
  }

  /** Runs everything and returns the report. */
  public EvalReport run() {
    Map<String, Double> timings = new LinkedHashMap<>();
    Map<String, Double> gammaScores = chooseGamma();
    double gamma =
        gammaScores.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(e -> Double.parseDouble(e.getKey()))
            .orElseThrow();
    log.accept("chose gamma " + gamma + " on the validation split");
    AnalyticSettings settings =
        AnalyticSettings.defaults(options.bufferSeed(), data.features())
            .withBufferSize(options.bufferSize())
            .withGamma(gamma);

    SplitTaskStream train = new SplitTaskStream(data.train(), options.stream());
    SplitTaskStream test = new SplitTaskStream(data.test(), options.stream());
    List<LabeledBatch> stream = train.allBatches();

    try (AnalyticLearner learner = new AnalyticLearner(settings);
        AnalyticLearner joint = new AnalyticLearner(settings)) {
      long start = System.nanoTime();
      AccuracyMatrix matrix = ContinualEvaluation.run(learner, train, test);
      timings.put("continual_protocol_seconds", seconds(start));
      log.accept("continual protocol: average accuracy " + matrix.averageAccuracy());

      start = System.nanoTime();
      for (LabeledBatch batch : stream) {
        joint.learn(
            new LabeledBatch(
                "joint", batch.sampleIds(), batch.subjectIds(), batch.features(), batch.labels()));
      }
      double learnSeconds = seconds(start);
      timings.put("learn_samples_per_second", data.train().size() / learnSeconds);
      start = System.nanoTime();
      HeadWeights jointWeights = joint.weights();
      timings.put("solve_seconds", seconds(start));
      double jointAccuracy = ContinualEvaluation.accuracy(joint, data.test());
      double finalVsJoint = learner.weights().maxRelativeDifference(jointWeights);
      log.accept("joint accuracy " + jointAccuracy + ", continual vs joint " + finalVsJoint);

      Map<String, Double> exactness = new LinkedHashMap<>();
      Map<String, Boolean> identical = new LinkedHashMap<>();
      Set<String> erased = new HashSet<>();
      SplitMix64 random = new SplitMix64(options.stream().shuffleSeed() + 1);

      // SAMPLE: ten requests of 10 samples each on the solved model, each timed until the new
      // weights can be read; the ratio uses the median (the first request also pays JIT warm-up).
      List<Row> rows = rows(stream);
      learner.weights();
      double[] eraseTimes = new double[10];
      for (int i = 0; i < eraseTimes.length; i++) {
        List<Row> ten = pick(rows, erased, 10, random);
        start = System.nanoTime();
        erase(learner, ten);
        learner.weights();
        eraseTimes[i] = seconds(start);
      }
      timings.put("erase_10_samples_first_seconds", eraseTimes[0]);
      double[] sorted = eraseTimes.clone();
      java.util.Arrays.sort(sorted);
      double eraseSeconds = (sorted[4] + sorted[5]) / 2;
      timings.put("erase_10_samples_median_seconds", eraseSeconds);
      timings.put("erase_10_samples_max_seconds", sorted[sorted.length - 1]);
      Comparison sample = compareWithRetraining(learner, stream, erased, settings);
      double retrainSeconds = sample.retrainSeconds;
      timings.put("retrain_seconds", retrainSeconds);
      exactness.put("sample", sample.maxRelativeDifference);
      identical.put("sample", sample.predictionsIdentical);
      log.accept(
          "sample scope: "
              + sample
              + ", erase "
              + eraseSeconds
              + " s, retrain "
              + retrainSeconds
              + " s");

      // SUBJECT: every retained sample of a few subjects, one request per subject.
      for (int s = 0; s < options.erasedSubjects(); s++) {
        String subject = "subject-" + s;
        List<Row> ofSubject =
            rows.stream().filter(r -> r.subject.equals(subject) && !erased.contains(r.id)).toList();
        ofSubject.forEach(r -> erased.add(r.id));
        erase(learner, ofSubject);
      }
      Comparison subject = compareWithRetraining(learner, stream, erased, settings);
      exactness.put("subject", subject.maxRelativeDifference);
      identical.put("subject", subject.predictionsIdentical);
      log.accept("subject scope: " + subject);

      // TASK: the last task of the stream, data-free.
      SplitTaskStream.Task lastTask = train.tasks().get(train.tasks().size() - 1);
      LabeledSet erasedTest = test.taskSet(lastTask);
      LabeledSet retainedTest = retainedTestSet(test, lastTask);
      double erasedBefore = ContinualEvaluation.accuracy(learner, erasedTest);
      double retainedBefore = ContinualEvaluation.accuracy(learner, retainedTest);
      learner.eraseTask(lastTask.id());
      rows.stream().filter(r -> r.task.equals(lastTask.id())).forEach(r -> erased.add(r.id));
      Comparison task = compareWithRetraining(learner, stream, erased, settings);
      exactness.put("task", task.maxRelativeDifference);
      identical.put("task", task.predictionsIdentical);
      log.accept("task scope: " + task);
      EvalReport.TaskErasure erasure =
          new EvalReport.TaskErasure(
              lastTask.id(),
              erasedBefore,
              ContinualEvaluation.accuracy(learner, erasedTest),
              retainedBefore,
              ContinualEvaluation.accuracy(learner, retainedTest));

      Map<String, Object> protocol = new LinkedHashMap<>();
      protocol.put("data", data.directory().toString());
      protocol.put("features", data.features());
      protocol.put("tasks", data.split().toString());
      protocol.put("task_order", options.stream().order());
      protocol.put("shuffle_seed", options.stream().shuffleSeed());
      protocol.put("batch_size", options.stream().batchSize());
      return new EvalReport(
          "analytic",
          settings.values().asMap(),
          protocol,
          matrix.tasks(),
          matrix.accuracy(),
          matrix.averageAccuracy(),
          matrix.backwardTransfer(),
          matrix.forgetting(),
          jointAccuracy,
          finalVsJoint,
          gammaScores,
          exactness,
          identical,
          retrainSeconds / eraseSeconds,
          erasure,
          timings);
    }
  }

  /** Learns 1 - f of the training set and scores each gamma on the held-out f. */
  private Map<String, Double> chooseGamma() {
    int n = data.train().size();
    int[] order = IntStream.range(0, n).toArray();
    SplitMix64 random = new SplitMix64(options.stream().shuffleSeed());
    for (int i = n - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(random.nextLong(), i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    int validationSize = (int) Math.round(n * options.validationFraction());
    LabeledSet validation =
        data.train().select(java.util.Arrays.copyOfRange(order, 0, validationSize));
    LabeledSet fit = data.train().select(java.util.Arrays.copyOfRange(order, validationSize, n));
    AnalyticSettings settings =
        AnalyticSettings.defaults(options.bufferSeed(), data.features())
            .withBufferSize(options.bufferSize());
    Map<String, Double> scores = new LinkedHashMap<>();
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      int batch = options.stream().batchSize();
      for (int start = 0; start < fit.size(); start += batch) {
        int end = Math.min(fit.size(), start + batch);
        List<String> ids = new ArrayList<>();
        for (int i = start; i < end; i++) {
          ids.add("fit-" + i);
        }
        learner.learn(
            "fit",
            ids,
            java.util.Arrays.copyOfRange(fit.features(), start, end),
            java.util.Arrays.copyOfRange(fit.labels(), start, end));
      }
      for (double gamma : options.gammas()) {
        try (AnalyticScorer scorer =
            new AnalyticScorer(
                settings.bufferSeed(), settings.inputDim(), learner.weightsForGamma(gamma))) {
          int[] predicted = scorer.predictLabels(validation.features());
          double accuracy =
              ContinualEvaluation.matches(predicted, validation.labels())
                  / (double) validation.size();
          scores.put(Double.toString(gamma), accuracy);
          log.accept("gamma " + gamma + ": validation accuracy " + accuracy);
        }
      }
    }
    return scores;
  }

  private record Row(String id, String subject, String task, float[] features, int label) {}

  /**
   * Result of comparing an erased model with one retrained from scratch on the retained samples.
   *
   * @param maxRelativeDifference max |W - W_retrained| / max |W_retrained|
   * @param predictionsIdentical whether all test predictions agree
   * @param retrainSeconds time to learn the retained samples from scratch and solve
   */
  private record Comparison(
      double maxRelativeDifference, boolean predictionsIdentical, double retrainSeconds) {}

  private Comparison compareWithRetraining(
      AnalyticLearner learner,
      List<LabeledBatch> stream,
      Set<String> erased,
      AnalyticSettings settings) {
    try (AnalyticLearner retrained = new AnalyticLearner(settings)) {
      long start = System.nanoTime();
      for (LabeledBatch batch : stream) {
        List<Integer> keep =
            IntStream.range(0, batch.size())
                .filter(i -> !erased.contains(batch.sampleIds().get(i)))
                .boxed()
                .toList();
        if (keep.isEmpty()) {
          continue;
        }
        retrained.learn(
            batch.task(),
            keep.stream().map(batch.sampleIds()::get).toList(),
            keep.stream().map(i -> batch.features()[i]).toArray(float[][]::new),
            keep.stream().mapToInt(i -> batch.labels()[i]).toArray());
      }
      HeadWeights retrainedWeights = retrained.weights();
      double retrainSeconds = seconds(start);
      double difference = learner.weights().maxRelativeDifference(retrainedWeights);
      boolean same =
          java.util.Arrays.equals(
              learner.predict(data.test().features()), retrained.predict(data.test().features()));
      return new Comparison(difference, same, retrainSeconds);
    }
  }

  private static List<Row> rows(List<LabeledBatch> stream) {
    List<Row> rows = new ArrayList<>();
    for (LabeledBatch batch : stream) {
      for (int i = 0; i < batch.size(); i++) {
        rows.add(
            new Row(
                batch.sampleIds().get(i),
                batch.subjectIds().get(i),
                batch.task(),
                batch.features()[i],
                batch.labels()[i]));
      }
    }
    return rows;
  }

  private static List<Row> pick(List<Row> rows, Set<String> erased, int count, SplitMix64 random) {
    List<Row> picked = new ArrayList<>();
    while (picked.size() < count) {
      Row row = rows.get((int) Long.remainderUnsigned(random.nextLong(), rows.size()));
      if (erased.add(row.id)) {
        picked.add(row);
      }
    }
    return picked;
  }

  private static void erase(AnalyticLearner learner, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    learner.eraseSamples(
        rows.stream().map(Row::id).toList(),
        rows.stream().map(Row::features).toArray(float[][]::new),
        rows.stream().mapToInt(Row::label).toArray());
  }

  private static LabeledSet retainedTestSet(SplitTaskStream test, SplitTaskStream.Task erased) {
    List<float[]> features = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (SplitTaskStream.Task task : test.tasks()) {
      if (!task.equals(erased)) {
        LabeledSet set = test.taskSet(task);
        features.addAll(List.of(set.features()));
        for (int label : set.labels()) {
          labels.add(label);
        }
      }
    }
    return new LabeledSet(
        "test",
        features.toArray(float[][]::new),
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
