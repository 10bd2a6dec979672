package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.hypernet.ForgetReport;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.hypernet.HypernetTaskScorer;
import io.lethe.learners.hypernet.LearnReport;
import io.lethe.learners.settings.SettingValues;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hypernetwork learner in the job. It is task-incremental: each task has its own few classes,
 * so the adapter maps a dataset's labels to the task's local class indices (in the order the
 * classes first appear) and publishes that mapping as scoring settings {@code task.<id>.classes}.
 * Whole tasks are forgotten data-free (APPROXIMATE: UnCLe's noise alignment). Sample and subject
 * erasures are APPROXIMATE too: the model keeps each task's samples ({@link TaskSampleStore}), and
 * each task that held erased samples is forgotten and learned again from the samples it keeps
 * ({@link HypernetLearner#forgetSamples}); the reason carries what was done and how the erased
 * samples' loss changed.
 *
 * <p>A task gets at least {@code steps-per-task} steps: the steps of its micro-batches, then steps
 * on its window that {@link #trainWhileIdle} adds while it is the current task: while input comes,
 * only in time the operator's thread and the machine left spare, and within {@code idle-cpu-share}
 * of it; the whole tick while none comes.
 *
 * <p>Its checkpoint state is the part {@value #STATE_PART}, the model as a snapshot plus the class
 * mapping and the steps taken per task, and the sample store's chunks: a restore gives back the
 * same weights, tasks, step counts and kept samples, but Adam's moments, the refresh Fisher and the
 * sample window start empty (see learners/HYPERNET.md), so a task cut short by a restore gets no
 * more added steps.
 */
final class HypernetModelLearner implements ModelLearner {
  static final String STATE_PART = "model";

  /** The offline audit of sample and subject erasure, quoted in each such erasure's reason. */
  static final String FORGET_AUDIT =
      "audited offline with lethe eval hypernet-forget: the erased samples' membership-inference"
          + " AUC 0.505 after forgetting, 0.506 for a model retrained without them (9 subjects,"
          + " docs/benchmarks.md#subject-erasure)";

  private final HypernetLearner learner;
  private final int classesPerTask;
  private final Map<String, List<Integer>> taskClasses;
  private final double idleCpuShare;
  private final TaskSampleStore kept;

  /** Read by the metrics reporter's thread, so kept apart from the learner's own counts. */
  private volatile long trainingSteps;

  /**
   * How long an idle step takes (a running mean); while samples come, none is started in less spare
   * time than this.
   */
  private long stepNanos;

  private String currentTask;
  private double lastLoss = Double.NaN;
  private boolean changed;

  private HypernetModelLearner(
      HypernetLearner learner,
      int classesPerTask,
      Map<String, List<Integer>> taskClasses,
      TaskSampleStore kept) {
    this.learner = learner;
    this.classesPerTask = classesPerTask;
    this.taskClasses = taskClasses;
    this.kept = kept;
    this.idleCpuShare = learner.settings().idleCpuShare();
    countSteps();
  }

  private void countSteps() {
    trainingSteps = learner.stepsPerTask().values().stream().mapToLong(Long::longValue).sum();
  }

  static HypernetModelLearner create(
      ModelSpec model, DatasetSpec dataset, Map<String, byte[]> restored) {
    HypernetSettings settings = settings(model, dataset);
    byte[] state = restored.get(STATE_PART);
    if (state == null) {
      return new HypernetModelLearner(
          new HypernetLearner(settings),
          settings.classesPerTask(),
          new LinkedHashMap<>(),
          new TaskSampleStore());
    }
    State decoded = State.decode(state);
    HypernetLearner learner =
        HypernetLearner.fromSnapshot(
            AvroBytes.decode(decoded.snapshot, ModelSnapshot.class), settings);
    learner.restoreStepsPerTask(decoded.stepsPerTask);
    return new HypernetModelLearner(
        learner, settings.classesPerTask(), decoded.taskClasses, TaskSampleStore.restore(restored));
  }

  /**
   * The learner settings the catalog gives {@code model}: its declared settings, with the input
   * size from the dataset and the device from the model; errors name the model and key.
   */
  static HypernetSettings settings(ModelSpec model, DatasetSpec dataset) {
    return SettingsReader.build(
        model,
        () -> {
          SettingValues values = model.learnerValues();
          values.put(HypernetSettings.INPUTS, dataset.features());
          values.put(HypernetSettings.DEVICE, djlDevice(model.device()));
          return HypernetSettings.from(values);
        });
  }

  /** The catalog's {@code cpu}, {@code gpu}, {@code gpuN} as DJL device names. */
  static String djlDevice(String device) {
    if (device.equals("cpu")) {
      return "cpu";
    }
    String index = device.substring("gpu".length());
    return "gpu(" + (index.isEmpty() ? "0" : index) + ")";
  }

  @Override
  public void learn(String task, List<String> sampleIds, byte[][] packedFeatures, int[] labels) {
    float[][] features = PackedFeatures.unpack(packedFeatures);
    if (currentTask != null && !currentTask.equals(task)) {
      learner.finishTask(currentTask);
    }
    currentTask = task;
    List<Integer> classes = taskClasses.computeIfAbsent(task, t -> new ArrayList<>());
    int[] local = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int index = classes.indexOf(labels[i]);
      if (index < 0) {
        if (classes.size() == classesPerTask) {
          throw new IllegalArgumentException(
              "sample "
                  + sampleIds.get(i)
                  + " has label "
                  + labels[i]
                  + ", but task "
                  + task
                  + " already has its "
                  + classesPerTask
                  + " classes "
                  + classes);
        }
        classes.add(labels[i]);
        index = classes.size() - 1;
      }
      local[i] = index;
    }
    LearnReport report = learner.learn(task, features, local);
    for (int i = 0; i < local.length; i++) {
      kept.add(task, sampleIds.get(i), packedFeatures[i], local[i]);
    }
    countSteps();
    lastLoss = report.meanLoss();
    changed = true;
  }

  @Override
  public ErasureResult eraseSamples(
      List<String> sampleIds, List<String> tasks, byte[][] packedFeatures, int[] labels) {
    return eraseSamplesTogether(
            List.of(new SampleErasure(sampleIds, tasks, packedFeatures, labels)))
        .get(0);
  }

  /**
   * Forgets the requests' samples in each task that held any of them, once per task however many
   * requests it serves: the task's generated weights are erased by noise alignment, and it is
   * learned again with a fresh embedding from the samples it keeps (removed if it keeps none).
   * Samples this model does not keep (never learned, or in a task erased since) need nothing.
   */
  @Override
  public List<ErasureResult> eraseSamplesTogether(List<SampleErasure> requests) {
    Map<String, List<float[]>> erasedX = new LinkedHashMap<>();
    Map<String, List<Integer>> erasedY = new LinkedHashMap<>();
    List<Map<String, Integer>> perRequest = new ArrayList<>();
    List<Integer> goneWithTasks = new ArrayList<>();
    List<String> active = learner.activeTasks();
    Set<String> erasedTasks = learner.erasedTasks();
    for (SampleErasure request : requests) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      int gone = 0;
      for (int i = 0; i < request.sampleIds().size(); i++) {
        if (erasedTasks.contains(request.tasks().get(i))) {
          gone++;
        }
        String task = kept.remove(request.sampleIds().get(i));
        if (task != null && active.contains(task)) {
          counts.merge(task, 1, Integer::sum);
          erasedX
              .computeIfAbsent(task, t -> new ArrayList<>())
              .add(PackedFeatures.unpack(request.packedFeatures()[i]));
          erasedY
              .computeIfAbsent(task, t -> new ArrayList<>())
              .add(taskClasses.get(task).indexOf(request.labels()[i]));
        }
      }
      perRequest.add(counts);
      goneWithTasks.add(gone);
    }
    Map<String, String> done = new LinkedHashMap<>();
    for (String task : erasedX.keySet()) {
      done.put(task, forget(task, erasedX.get(task), erasedY.get(task)));
    }
    if (!done.isEmpty()) {
      changed = true;
      countSteps();
    }
    int together = (int) perRequest.stream().filter(c -> !c.isEmpty()).count();
    List<ErasureResult> results = new ArrayList<>();
    for (int r = 0; r < perRequest.size(); r++) {
      Map<String, Integer> counts = perRequest.get(r);
      if (counts.isEmpty()) {
        int gone = goneWithTasks.get(r);
        results.add(
            new ErasureResult(
                ErasureGuarantee.EXACT,
                gone > 0
                    ? gone + " of the samples had already gone with an erased task"
                    : "no sample of the request is learned by this model",
                0));
        continue;
      }
      List<String> tasksDone = counts.keySet().stream().map(done::get).toList();
      results.add(
          new ErasureResult(
              ErasureGuarantee.APPROXIMATE,
              "the hypernetwork forgets samples approximately: "
                  + String.join("; ", tasksDone)
                  + (together > 1
                      ? "; in one operation with " + (together - 1) + " other request(s)"
                      : "")
                  + "; "
                  + FORGET_AUDIT,
              counts.values().stream().mapToLong(Integer::longValue).sum()));
    }
    return results;
  }

  /** Forgets {@code task}'s erased samples; returns what was done, for the reason. */
  private String forget(String task, List<float[]> erasedRows, List<Integer> erasedLabels) {
    float[][] x = erasedRows.toArray(new float[0][]);
    int[] y = erasedLabels.stream().mapToInt(Integer::intValue).toArray();
    double lossBefore = meanLoss(task, x, y);
    List<TaskSampleStore.Kept> keptSamples = kept.samples(task);
    float[][] keptX = new float[keptSamples.size()][];
    int[] keptY = new int[keptSamples.size()];
    for (int k = 0; k < keptSamples.size(); k++) {
      keptX[k] = PackedFeatures.unpack(keptSamples.get(k).packedFeatures());
      keptY[k] = keptSamples.get(k).label();
    }
    ForgetReport report = learner.forgetSamples(task, keptX, keptY);
    if (report.removed()) {
      kept.removeTask(task);
      taskClasses.remove(task);
      if (task.equals(currentTask)) {
        currentTask = null;
      }
      return String.format(
          Locale.ROOT,
          "task %s: %d sample(s) erased, none kept, so the task was erased (%d noise-alignment"
              + " steps) and may be learned anew",
          task,
          y.length,
          report.eraseSteps());
    }
    return String.format(
        Locale.ROOT,
        "task %s: %d sample(s) erased, the task's weights erased by noise alignment (%d steps)"
            + " and learned again with a fresh embedding from its %d kept samples (%d steps, %.1f"
            + " s); the erased samples' mean loss %.3f before, %.3f after",
        task,
        y.length,
        report.eraseSteps(),
        report.keptSamples(),
        report.relearnSteps(),
        report.seconds(),
        lossBefore,
        meanLoss(task, x, y));
  }

  /** Mean cross-entropy of the learner on samples of an active task. */
  private double meanLoss(String task, float[][] x, int[] y) {
    float[][] p = learner.scores(task, x);
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum -= Math.log(Math.max(p[i][y[i]], 1e-12));
    }
    return sum / y.length;
  }

  @Override
  public ErasureResult eraseTasks(List<String> tasks) {
    List<String> notLearned = new ArrayList<>();
    int erased = 0;
    for (String task : tasks) {
      if (learner.activeTasks().contains(task)) {
        if (task.equals(currentTask)) {
          currentTask = null;
        }
        learner.eraseTask(task);
        kept.removeTask(task);
        erased++;
      } else {
        notLearned.add(task);
      }
    }
    if (erased == 0) {
      return new ErasureResult(
          ErasureGuarantee.EXACT,
          "task(s) "
              + String.join(", ", notLearned)
              + " not learned by this model; nothing to erase",
          0);
    }
    changed = true;
    countSteps();
    String reason =
        "data-free task erasure by noise alignment (UnCLe): the task's generated weights no longer"
            + " carry it, approximately"
            + (notLearned.isEmpty() ? "" : "; task(s) " + notLearned + " were not learned");
    return new ErasureResult(ErasureGuarantee.APPROXIMATE, reason, 0);
  }

  @Override
  public ModelSnapshot snapshot(SnapshotHeader header) {
    ModelSnapshot snapshot = learner.toSnapshot(header);
    List<Setting> scoring = new ArrayList<>(snapshot.getScoring());
    taskClasses.forEach(
        (task, classes) ->
            scoring.add(
                new Setting(
                    HypernetTaskScorer.taskClassesKey(task),
                    String.join(",", classes.stream().map(String::valueOf).toList()))));
    snapshot.setScoring(scoring);
    snapshot.setChecksum("");
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    return snapshot;
  }

  @Override
  public Map<String, byte[]> drainChangedState() {
    if (!changed) {
      return Map.of();
    }
    changed = false;
    ModelSnapshot model =
        learner.toSnapshot(new SnapshotHeader("checkpoint", 1, null, Instant.EPOCH, List.of()));
    Map<String, byte[]> parts = new LinkedHashMap<>(kept.drainChangedParts());
    parts.put(
        STATE_PART,
        new State(AvroBytes.encode(model), taskClasses, learner.stepsPerTask()).encode());
    return parts;
  }

  @Override
  public int trainWhileIdle(IdleTick tick) {
    long budget = tick.budgetNanos(idleCpuShare);
    if (budget <= 0 || (tick.inputCame() && budget < stepNanos)) {
      // while samples come, no step that would overrun the spare time; while none come, at least
      // one, which also keeps the step time current after a slow one
      return 0;
    }
    long started = System.nanoTime();
    // the learner stops once the time is up, after the step under way: stop a step early
    int steps = learner.trainToBudget(budget - stepNanos);
    if (steps > 0) {
      long perStep = (System.nanoTime() - started) / steps;
      stepNanos = stepNanos == 0 ? perStep : (stepNanos + perStep) / 2;
      changed = true;
      countSteps();
    }
    return steps;
  }

  @Override
  public long trainingSteps() {
    return trainingSteps;
  }

  @Override
  public double lastLoss() {
    return lastLoss;
  }

  @Override
  public void close() {
    learner.close();
  }

  /**
   * The checkpoint part: the model as snapshot bytes, each task's class order and the steps taken
   * per task (absent from parts written before step budgets: read as none).
   */
  private record State(
      byte[] snapshot, Map<String, List<Integer>> taskClasses, Map<String, Long> stepsPerTask) {
    byte[] encode() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(snapshot.length);
        out.write(snapshot);
        out.writeInt(taskClasses.size());
        for (Map.Entry<String, List<Integer>> task : taskClasses.entrySet()) {
          out.writeUTF(task.getKey());
          out.writeInt(task.getValue().size());
          for (int label : task.getValue()) {
            out.writeInt(label);
          }
        }
        out.writeInt(stepsPerTask.size());
        for (Map.Entry<String, Long> task : stepsPerTask.entrySet()) {
          out.writeUTF(task.getKey());
          out.writeLong(task.getValue());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    static State decode(byte[] bytes) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        byte[] snapshot = in.readNBytes(in.readInt());
        Map<String, List<Integer>> classes = new LinkedHashMap<>();
        int tasks = in.readInt();
        for (int t = 0; t < tasks; t++) {
          String task = in.readUTF();
          Integer[] labels = new Integer[in.readInt()];
          for (int i = 0; i < labels.length; i++) {
            labels[i] = in.readInt();
          }
          classes.put(task, new ArrayList<>(Arrays.asList(labels)));
        }
        Map<String, Long> steps = new LinkedHashMap<>();
        if (in.available() > 0) {
          int counted = in.readInt();
          for (int t = 0; t < counted; t++) {
            steps.put(in.readUTF(), in.readLong());
          }
        }
        return new State(snapshot, classes, steps);
      } catch (IOException e) {
        throw new IllegalArgumentException("hypernetwork learner state is corrupt: " + e, e);
      }
    }
  }
}
