package io.lethe.evaluation;

import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.ForgetReport;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The audit of the hypernetwork learner's subject erasure ({@link HypernetLearner#forgetSamples}),
 * measured as unlearning papers measure it: a loss-based membership-inference test and the
 * comparison with a model retrained from scratch without the subject (the gold standard).
 *
 * <p>Protocol, per erased subject: (1) learn the first tasks of the split stream, each to its step
 * budget (the original model, learned once and kept as a snapshot); (2) from that snapshot, forget
 * the subject's samples in every task, each task learned again from its other samples (the
 * forgotten model); (3) learn the same tasks from scratch without the subject's samples (the
 * retrained model). Each model is then scored on the subject's samples and on test samples of the
 * same tasks, which no model saw. The membership test ranks samples by their cross-entropy loss
 * (lower: "was learned"): its AUC is the probability that an erased sample has a lower loss than an
 * unseen one, 0.5 when the two cannot be told apart (Shokri et al. 2017; Yeom et al. 2018, as used
 * for unlearning by e.g. Kurmanji et al. 2023).
 */
final class HypernetForgetAudit {

  /**
   * What to run.
   *
   * @param settings the learner's settings
   * @param stream the split stream (its subjects option sets how many samples a subject has)
   * @param tasks how many tasks of the stream to learn
   * @param samplesPerTask learn at most this many samples per task (0: all)
   * @param erasedSubjects how many subjects to erase, one at a time, each from the original model
   */
  record Options(
      HypernetSettings settings,
      SplitTaskStream.Options stream,
      int tasks,
      int samplesPerTask,
      int erasedSubjects) {
    Options {
      if (tasks < 1 || tasks > stream.order().size()) {
        throw new IllegalArgumentException(
            "--audit-tasks is " + tasks + ", expected 1.." + stream.order().size());
      }
      if (erasedSubjects < 1) {
        throw new IllegalArgumentException(
            "--erased-subjects is " + erasedSubjects + ", expected at least 1");
      }
    }
  }

  /**
   * One model's scores for one erased subject.
   *
   * @param membershipAuc AUC of the loss-based membership test, erased samples against unseen ones
   * @param erasedAccuracy accuracy on the subject's samples
   * @param testAccuracy mean test accuracy over the tasks
   */
  record ModelScores(double membershipAuc, double erasedAccuracy, double testAccuracy) {}

  /**
   * The audit of one erased subject.
   *
   * @param subject the subject id
   * @param erasedSamples the subject's samples over the learned tasks
   * @param original the model that learned them
   * @param forgotten the original after forgetting them
   * @param retrained a model learned from scratch without them
   * @param forgetSeconds wall-clock time of forgetting, all tasks
   * @param retrainSeconds wall-clock time of the retraining
   * @param forgetSteps erasure and relearning steps taken
   */
  record SubjectAudit(
      String subject,
      int erasedSamples,
      ModelScores original,
      ModelScores forgotten,
      ModelScores retrained,
      double forgetSeconds,
      double retrainSeconds,
      int forgetSteps) {}

  /**
   * The JSON report of {@code lethe eval hypernet-forget}; written in snake_case.
   *
   * @param meanAuc mean membership AUC per model ("original", "forgotten", "retrained")
   * @param meanErasedAccuracy mean accuracy on the erased samples per model
   * @param meanTestAccuracy mean test accuracy per model
   */
  record Report(
      String learner,
      long seed,
      Map<String, Object> settings,
      Map<String, Object> protocol,
      List<SubjectAudit> subjects,
      Map<String, Double> meanAuc,
      Map<String, Double> meanErasedAccuracy,
      Map<String, Double> meanTestAccuracy) {

    /** Writes the report as pretty-printed JSON. */
    void write(Path file) throws IOException {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      EvalReport.mapper().writeValue(file.toFile(), this);
    }
  }

  private final EvalData data;
  private final Options options;
  private final Consumer<String> log;

  HypernetForgetAudit(EvalData data, Options options, Consumer<String> log) {
    this.data = data;
    this.options = options;
    this.log = log;
  }

  Report run() {
    SplitTaskStream train = new SplitTaskStream(data.train(), options.stream());
    SplitTaskStream test = new SplitTaskStream(data.test(), options.stream());
    List<SplitTaskStream.Task> tasks = train.tasks().subList(0, options.tasks());
    List<List<LabeledBatch>> batches = new ArrayList<>();
    List<LabeledSet> testSets = new ArrayList<>();
    for (SplitTaskStream.Task task : tasks) {
      batches.add(HypernetEvaluation.limit(train.batches(task), options.samplesPerTask()));
      testSets.add(HypernetEvaluation.withinTask(test.taskSet(task), task));
    }
    HypernetSettings settings = options.settings();
    ModelSnapshot original;
    try (HypernetLearner learner = new HypernetLearner(settings)) {
      for (int i = 0; i < tasks.size(); i++) {
        HypernetEvaluation.learnTask(learner, tasks.get(i), batches.get(i));
      }
      original = learner.toSnapshot(new SnapshotHeader("audit", 1, null, Instant.EPOCH, List.of()));
    }
    log.accept("learned " + tasks.size() + " tasks");

    List<SubjectAudit> audits = new ArrayList<>();
    for (String subject : pickSubjects(batches)) {
      List<Part> erased = new ArrayList<>();
      List<List<LabeledBatch>> kept = new ArrayList<>();
      for (int i = 0; i < tasks.size(); i++) {
        Split split = split(batches.get(i), subject, tasks.get(i));
        erased.add(split.erased());
        kept.add(split.kept());
      }
      int erasedCount = erased.stream().mapToInt(p -> p.labels().length).sum();

      ModelScores before;
      ModelScores after;
      long start = System.nanoTime();
      int steps = 0;
      try (HypernetLearner learner = HypernetLearner.fromSnapshot(original, settings)) {
        before = score(learner, tasks, erased, testSets);
        start = System.nanoTime();
        for (int i = 0; i < tasks.size(); i++) {
          Part keep = Part.of(kept.get(i), tasks.get(i));
          ForgetReport report =
              learner.forgetSamples(tasks.get(i).id(), keep.features(), keep.labels());
          steps += report.eraseSteps() + report.relearnSteps();
        }
        double forgetSeconds = (System.nanoTime() - start) / 1e9;
        after = score(learner, tasks, erased, testSets);
        start = System.nanoTime();
        ModelScores gold;
        try (HypernetLearner retrained = new HypernetLearner(settings)) {
          for (int i = 0; i < tasks.size(); i++) {
            HypernetEvaluation.learnTask(retrained, tasks.get(i), kept.get(i));
          }
          double retrainSeconds = (System.nanoTime() - start) / 1e9;
          gold = score(retrained, tasks, erased, testSets);
          SubjectAudit audit =
              new SubjectAudit(
                  subject, erasedCount, before, after, gold, forgetSeconds, retrainSeconds, steps);
          audits.add(audit);
          log.accept(
              String.format(
                  java.util.Locale.ROOT,
                  "subject %d of %d (%d samples): membership AUC original %.3f, forgotten %.3f,"
                      + " retrained %.3f; accuracy on them %.3f, %.3f, %.3f; forget %.1f s,"
                      + " retrain %.1f s",
                  audits.size(),
                  options.erasedSubjects(),
                  erasedCount,
                  before.membershipAuc(),
                  after.membershipAuc(),
                  gold.membershipAuc(),
                  before.erasedAccuracy(),
                  after.erasedAccuracy(),
                  gold.erasedAccuracy(),
                  forgetSeconds,
                  retrainSeconds));
        }
      }
    }

    Map<String, Object> protocol = new LinkedHashMap<>();
    protocol.put("data", data.directory().toString());
    protocol.put("tasks", tasks.stream().map(SplitTaskStream.Task::id).toList());
    protocol.put(
        "train_samples_per_task",
        batches.stream().mapToInt(HypernetForgetAudit::count).boxed().toList());
    protocol.put("test_samples_per_task", testSets.stream().map(LabeledSet::size).toList());
    protocol.put("subjects", options.stream().subjects());
    protocol.put("erased_subjects", options.erasedSubjects());
    protocol.put(
        "membership_test",
        "AUC of ranking by cross-entropy loss (lower: member), erased samples against the test"
            + " samples of the same tasks");
    return new Report(
        "hypernet",
        settings.seed(),
        settings.values().asMap(),
        protocol,
        audits,
        means(audits, ModelScores::membershipAuc),
        means(audits, ModelScores::erasedAccuracy),
        means(audits, ModelScores::testAccuracy));
  }

  /** Subjects with samples in the learned data, chosen with the learner's seed. */
  private List<String> pickSubjects(List<List<LabeledBatch>> batches) {
    TreeSet<String> present = new TreeSet<>();
    batches.forEach(task -> task.forEach(b -> present.addAll(b.subjectIds())));
    List<String> subjects = new ArrayList<>(present);
    Collections.shuffle(subjects, new Random(options.settings().seed()));
    if (subjects.size() < options.erasedSubjects()) {
      throw new IllegalArgumentException(
          "--erased-subjects is "
              + options.erasedSubjects()
              + " but the learned data has "
              + subjects.size()
              + " subjects");
    }
    return subjects.subList(0, options.erasedSubjects());
  }

  private static ModelScores score(
      HypernetLearner learner,
      List<SplitTaskStream.Task> tasks,
      List<Part> erased,
      List<LabeledSet> testSets) {
    List<Double> memberLosses = new ArrayList<>();
    List<Double> unseenLosses = new ArrayList<>();
    int correct = 0;
    int total = 0;
    double testAccuracy = 0;
    for (int i = 0; i < tasks.size(); i++) {
      String task = tasks.get(i).id();
      Part part = erased.get(i);
      if (part.labels().length > 0) {
        float[][] p = learner.scores(task, part.features());
        for (int r = 0; r < p.length; r++) {
          memberLosses.add(crossEntropy(p[r], part.labels()[r]));
          correct += argMax(p[r]) == part.labels()[r] ? 1 : 0;
        }
        total += p.length;
      }
      LabeledSet set = testSets.get(i);
      float[][] q = learner.scores(task, set.features());
      int right = 0;
      for (int r = 0; r < q.length; r++) {
        unseenLosses.add(crossEntropy(q[r], set.labels()[r]));
        right += argMax(q[r]) == set.labels()[r] ? 1 : 0;
      }
      testAccuracy += right / (double) q.length;
    }
    return new ModelScores(
        membershipAuc(memberLosses, unseenLosses),
        total == 0 ? Double.NaN : correct / (double) total,
        testAccuracy / tasks.size());
  }

  /**
   * The probability that a member's loss is below an unseen sample's (ties count half): the AUC of
   * the loss-threshold membership test (Mann-Whitney U).
   */
  static double membershipAuc(List<Double> members, List<Double> unseen) {
    if (members.isEmpty() || unseen.isEmpty()) {
      return Double.NaN;
    }
    double[] u = unseen.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double wins = 0;
    for (double loss : members) {
      int below = firstIndex(u, loss, false);
      int atOrBelow = firstIndex(u, loss, true);
      // unseen losses above this member's count as a win each, equal ones as half
      wins += (u.length - atOrBelow) + 0.5 * (atOrBelow - below);
    }
    return wins / ((double) members.size() * u.length);
  }

  /** The first index of sorted {@code values} whose value is above {@code key} (at or above). */
  private static int firstIndex(double[] values, double key, boolean above) {
    int low = 0;
    int high = values.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      boolean past = above ? values[mid] > key : values[mid] >= key;
      if (past) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  private static double crossEntropy(float[] probabilities, int label) {
    return -Math.log(Math.max(probabilities[label], 1e-12));
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static Map<String, Double> means(
      List<SubjectAudit> audits, java.util.function.ToDoubleFunction<ModelScores> metric) {
    Map<String, Double> means = new LinkedHashMap<>();
    means.put(
        "original",
        audits.stream()
            .mapToDouble(a -> metric.applyAsDouble(a.original()))
            .average()
            .orElse(Double.NaN));
    means.put(
        "forgotten",
        audits.stream()
            .mapToDouble(a -> metric.applyAsDouble(a.forgotten()))
            .average()
            .orElse(Double.NaN));
    means.put(
        "retrained",
        audits.stream()
            .mapToDouble(a -> metric.applyAsDouble(a.retrained()))
            .average()
            .orElse(Double.NaN));
    return means;
  }

  private static int count(List<LabeledBatch> batches) {
    return batches.stream().mapToInt(LabeledBatch::size).sum();
  }

  /** Samples of one task, labels within the task. */
  private record Part(float[][] features, int[] labels) {
    static Part of(List<LabeledBatch> batches, SplitTaskStream.Task task) {
      List<float[]> rows = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (LabeledBatch batch : batches) {
        rows.addAll(Arrays.asList(batch.features()));
        for (int label : HypernetEvaluation.withinTask(batch.labels(), task)) {
          labels.add(label);
        }
      }
      return new Part(
          rows.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  private record Split(Part erased, List<LabeledBatch> kept) {}

  /** A task's batches without the subject's samples, and those samples. */
  private static Split split(
      List<LabeledBatch> batches, String subject, SplitTaskStream.Task task) {
    List<LabeledBatch> kept = new ArrayList<>();
    List<LabeledBatch> erased = new ArrayList<>();
    for (LabeledBatch batch : batches) {
      kept.add(select(batch, subject, false));
      erased.add(select(batch, subject, true));
    }
    kept.removeIf(b -> b.size() == 0);
    return new Split(Part.of(erased, task), kept);
  }

  private static LabeledBatch select(LabeledBatch batch, String subject, boolean ofSubject) {
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < batch.size(); r++) {
      if (batch.subjectIds().get(r).equals(subject) == ofSubject) {
        rows.add(r);
      }
    }
    return new LabeledBatch(
        batch.task(),
        rows.stream().map(batch.sampleIds()::get).toList(),
        rows.stream().map(batch.subjectIds()::get).toList(),
        rows.stream().map(r -> batch.features()[r]).toArray(float[][]::new),
        rows.stream().mapToInt(r -> batch.labels()[r]).toArray());
  }
}
