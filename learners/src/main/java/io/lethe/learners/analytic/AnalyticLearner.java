package io.lethe.learners.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.eval.ContinualLearner;
import io.lethe.learners.internal.Cholesky;
import io.lethe.learners.internal.Torch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The analytic class-incremental learner with exact erasure (ACIL, Zhuang et al., NeurIPS 2022;
 * analytic unlearning in the spirit of ACU): a frozen {@link BufferLayer} and a ridge head solved
 * in closed form in float64.
 *
 * <p>State. For every task t the learner keeps the sums G_t = sum h h^T and C_t = sum h y^T over
 * the task's retained samples (h the buffer features, y the one-hot label). The head is W = R C
 * with R = (gamma I + sum_t G_t)^-1 and C = sum_t C_t, the ridge solution of ACIL eq. 8-10 on all
 * retained data, which is why learning in any order and erasing give the model retrained on the
 * retained data, up to float64 round-off. Deviation from ACIL: ACIL propagates R recursively (eq.
 * 13-14, Woodbury) while learning; Lethe only adds to the sums while learning (a third of the work,
 * measured in learners/README.md) and solves when W is read.
 *
 * <p>Erasure. Samples: their G_t, C_t contributions are subtracted, and if W is already solved and
 * the erasure is small, R and W are downdated in place with the Woodbury identity: R' = R + R X^T
 * (I - X R X^T)^-1 X R, W' = W - R' X^T (Y - X W). A task: its sums are dropped (data-free). A
 * class whose last sample is erased is zeroed exactly and leaves the predicted classes, as if never
 * learned. Erasing an id that was never learned or is already erased, or with features or label
 * that differ from those learned (a 64-bit hash is kept per id), is refused before anything
 * changes.
 *
 * <p>Thread safety: not thread-safe; one learner per thread (a Flink subtask). Every call sets
 * PyTorch's per-thread grad mode itself. Close the learner to free its native memory.
 */
public final class AnalyticLearner implements ContinualLearner, AutoCloseable {
  private final AnalyticSettings settings;
  private final NDManager manager;
  private final BufferLayer buffer;
  private final Map<String, TaskSums> tasks = new LinkedHashMap<>();
  private final Map<String, LearnedSample> learned = new HashMap<>();
  private final Set<String> erasedIds = new HashSet<>();
  private final List<String> erasedTasks = new ArrayList<>();
  private long[] classCounts = new long[0];
  private SolvedHead solved;
  private int downdatesSinceSolve;

  /** Creates an empty learner; the buffer layer is built from the settings' seed. */
  public AnalyticLearner(AnalyticSettings settings) {
    Torch.noGradOnThisThread();
    this.settings = settings;
    this.manager = NDManager.newBaseManager();
    this.buffer =
        BufferLayer.create(
            manager, settings.bufferSeed(), settings.inputDim(), settings.bufferSize());
  }

  /** The learner's settings. */
  public AnalyticSettings settings() {
    return settings;
  }

  @Override
  public void learn(LabeledBatch batch) {
    learn(batch.task(), batch.sampleIds(), batch.features(), batch.labels());
  }

  /**
   * Adds a batch of one task to the sums (ACIL eq. 10 without the recursion): G_t += H^T H, C_t +=
   * H^T Y. Refused as a whole, with nothing changed, if an id repeats, was learned or erased
   * before, or a row or label is invalid.
   */
  public void learn(String task, List<String> sampleIds, float[][] features, int[] labels) {
    Torch.noGradOnThisThread();
    if (task == null || task.isEmpty()) {
      throw new IllegalArgumentException("task id must not be empty");
    }
    requireSameLength(sampleIds, features, labels);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < sampleIds.size(); i++) {
      String id = sampleIds.get(i);
      if (!seen.add(id)) {
        throw new IllegalArgumentException("sample " + id + " appears twice in the batch");
      }
      if (learned.containsKey(id)) {
        throw new IllegalArgumentException("sample " + id + " was already learned");
      }
      if (erasedIds.contains(id)) {
        throw new IllegalArgumentException(
            "sample " + id + " was erased and cannot be learned again");
      }
      requireLabel(id, labels[i]);
    }
    if (sampleIds.isEmpty()) {
      return;
    }
    int maxLabel = 0;
    for (int label : labels) {
      maxLabel = Math.max(maxLabel, label);
    }
    try (NDManager scratch = manager.newSubManager()) {
      NDArray h = buffer.features(buffer.input(scratch, features)); // validates rows
      ensureClassCapacity(maxLabel + 1);
      TaskSums sums = tasks.computeIfAbsent(task, t -> new TaskSums(newGram(), newCross()));
      NDArray ht = h.transpose();
      sums.gram.addi(ht.matMul(h));
      sums.cross.addi(ht.matMul(oneHot(scratch, labels)));
    }
    for (int i = 0; i < sampleIds.size(); i++) {
      learned.put(sampleIds.get(i), new LearnedSample(task, labels[i], hash(features[i])));
      classCounts[labels[i]]++;
    }
    tasks.get(task).samples += sampleIds.size();
    invalidateSolution();
  }

  /**
   * Erases learned samples given their ids, features and labels (as the erasure ledger supplies
   * them), exactly: afterwards the head equals the one retrained without them, up to round-off.
   *
   * @throws IllegalArgumentException naming the first offending id if an id was never learned, was
   *     already erased, repeats, or comes with other features or another label than were learned;
   *     the state is then unchanged
   */
  public ErasureOutcome eraseSamples(List<String> sampleIds, float[][] features, int[] labels) {
    Torch.noGradOnThisThread();
    requireSameLength(sampleIds, features, labels);
    Set<String> seen = new HashSet<>();
    Map<String, List<Integer>> rowsByTask = new LinkedHashMap<>();
    for (int i = 0; i < sampleIds.size(); i++) {
      String id = sampleIds.get(i);
      if (!seen.add(id)) {
        throw new IllegalArgumentException("sample " + id + " appears twice in the erasure");
      }
      LearnedSample sample = learned.get(id);
      if (sample == null) {
        throw new IllegalArgumentException(
            erasedIds.contains(id)
                ? "sample " + id + " was already erased"
                : "sample " + id + " was never learned by this model");
      }
      if (sample.label != labels[i]) {
        throw new IllegalArgumentException(
            "sample " + id + " was learned with label " + sample.label + ", not " + labels[i]);
      }
      if (features[i].length != settings.inputDim() || sample.featureHash != hash(features[i])) {
        throw new IllegalArgumentException(
            "sample " + id + " comes with other features than were learned");
      }
      rowsByTask.computeIfAbsent(sample.task, t -> new ArrayList<>()).add(i);
    }
    if (sampleIds.isEmpty()) {
      return new ErasureOutcome(0, ErasureOutcome.ModelUpdate.RESOLVE_ON_READ);
    }
    ErasureOutcome.ModelUpdate path;
    try (NDManager scratch = manager.newSubManager()) {
      NDArray h = buffer.features(buffer.input(scratch, features));
      NDArray y = oneHot(scratch, labels);
      // Compute the downdated model first: if it fails, nothing has changed yet.
      SolvedHead downdated = null;
      if (solved != null
          && sampleIds.size() <= settings.woodburyMaxRows()
          && downdatesSinceSolve < settings.refreshAfterDowndates()) {
        downdated = woodburyDowndate(scratch, h, y);
      }
      for (Map.Entry<String, List<Integer>> entry : rowsByTask.entrySet()) {
        List<Integer> rows = entry.getValue();
        float[][] taskFeatures = new float[rows.size()][];
        int[] taskLabels = new int[rows.size()];
        for (int j = 0; j < rows.size(); j++) {
          taskFeatures[j] = features[rows.get(j)];
          taskLabels[j] = labels[rows.get(j)];
        }
        NDArray hTask =
            rowsByTask.size() == 1 ? h : buffer.features(buffer.input(scratch, taskFeatures));
        NDArray yTask = rowsByTask.size() == 1 ? y : oneHot(scratch, taskLabels);
        TaskSums sums = tasks.get(entry.getKey());
        NDArray ht = hTask.transpose();
        sums.gram.subi(ht.matMul(hTask));
        sums.cross.subi(ht.matMul(yTask));
        sums.samples -= rows.size();
      }
      if (downdated != null) {
        solved.close();
        downdated.keepIn(manager);
        solved = downdated;
        downdatesSinceSolve++;
        path = ErasureOutcome.ModelUpdate.WOODBURY_DOWNDATE;
      } else {
        invalidateSolution();
        path = ErasureOutcome.ModelUpdate.RESOLVE_ON_READ;
      }
    }
    for (int i = 0; i < sampleIds.size(); i++) {
      LearnedSample sample = learned.remove(sampleIds.get(i));
      erasedIds.add(sampleIds.get(i));
      classCounts[sample.label]--;
    }
    if (dropEmptyClassesAndTasks()) {
      invalidateSolution();
      path = ErasureOutcome.ModelUpdate.RESOLVE_ON_READ;
    }
    return new ErasureOutcome(sampleIds.size(), path);
  }

  /**
   * Erases a whole task without its data by dropping its sums (exact and data-free).
   *
   * @throws IllegalArgumentException if the task was never learned or is already erased; the state
   *     is then unchanged
   */
  public ErasureOutcome eraseTask(String task) {
    Torch.noGradOnThisThread();
    TaskSums sums = tasks.get(task);
    if (sums == null) {
      throw new IllegalArgumentException(
          erasedTasks.contains(task)
              ? "task " + task + " was already erased"
              : "task " + task + " was never learned by this model");
    }
    long count = sums.samples;
    List<String> ids = new ArrayList<>();
    learned.forEach(
        (id, sample) -> {
          if (sample.task.equals(task)) {
            ids.add(id);
          }
        });
    for (String id : ids) {
      classCounts[learned.remove(id).label]--;
      erasedIds.add(id);
    }
    tasks.remove(task).close();
    erasedTasks.add(task);
    dropEmptyClassesAndTasks();
    invalidateSolution();
    return new ErasureOutcome(count, ErasureOutcome.ModelUpdate.RESOLVE_ON_READ);
  }

  /** The head W for the classes with retained samples, solving from the sums if needed. */
  public HeadWeights weights() {
    Torch.noGradOnThisThread();
    ensureSolved();
    return retainedColumns(solved.weights);
  }

  /**
   * The head that a different gamma would give on the same retained data, without changing this
   * learner (used to choose gamma on a validation split: the sums do not depend on gamma).
   */
  public HeadWeights weightsForGamma(double gamma) {
    Torch.noGradOnThisThread();
    if (tasks.isEmpty()) {
      throw new IllegalStateException("nothing learned: the model has no classes");
    }
    try (NDManager scratch = manager.newSubManager()) {
      return retainedColumns(solve(scratch, gamma).weights);
    }
  }

  private HeadWeights retainedColumns(NDArray weights) {
    List<Integer> classes = classes();
    int k = classCounts.length;
    double[] all = weights.toDoubleArray();
    double[] values = new double[settings.bufferSize() * classes.size()];
    for (int r = 0; r < settings.bufferSize(); r++) {
      for (int c = 0; c < classes.size(); c++) {
        values[r * classes.size() + c] = all[r * k + classes.get(c)];
      }
    }
    return new HeadWeights(classes, settings.bufferSize(), values);
  }

  /** The current model as snapshot content (solving it if needed). */
  public AnalyticModel model() {
    return new AnalyticModel(settings, weights(), samplesPerTask(), erasedTasks());
  }

  /** A scorer for the current model (the same code the model service runs on a snapshot). */
  public AnalyticScorer scorer() {
    return new AnalyticScorer(settings.bufferSeed(), settings.inputDim(), weights());
  }

  @Override
  public int[] predict(float[][] rows) {
    try (AnalyticScorer scorer = scorer()) {
      return scorer.predictLabels(rows);
    }
  }

  @Override
  public void finishTask(String task) {
    ensureSolved();
  }

  @Override
  public String name() {
    return "analytic";
  }

  /** Class labels with at least one retained sample, ascending: the head's columns. */
  public List<Integer> classes() {
    List<Integer> classes = new ArrayList<>();
    for (int label = 0; label < classCounts.length; label++) {
      if (classCounts[label] > 0) {
        classes.add(label);
      }
    }
    return classes;
  }

  /** Retained samples per task, in the order tasks were first learned. */
  public Map<String, Long> samplesPerTask() {
    Map<String, Long> counts = new LinkedHashMap<>();
    tasks.forEach((task, sums) -> counts.put(task, sums.samples));
    return Collections.unmodifiableMap(counts);
  }

  /** Tasks erased so far, in erasure order. */
  public List<String> erasedTasks() {
    return List.copyOf(erasedTasks);
  }

  /** Whether a sample id is currently learned (not erased). */
  public boolean hasLearned(String sampleId) {
    return learned.containsKey(sampleId);
  }

  /**
   * Lower-case hex SHA-256 of the whole state: every task's sums and counts, the id index, the
   * erased ids and tasks, and the solved head if any. Two learners with equal digests are
   * bit-for-bit equal; tests use it to show that refused operations change nothing.
   */
  public String stateDigest() {
    MessageDigest digest = sha256();
    digest.update(("settings:" + settings).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    tasks.forEach(
        (task, sums) -> {
          update(digest, "task:" + task + ":" + sums.samples);
          digest.update(bytes(sums.gram));
          digest.update(bytes(sums.cross));
        });
    new TreeMap<>(learned).forEach((id, sample) -> update(digest, "learned:" + id + ":" + sample));
    new TreeSet<>(erasedIds).forEach(id -> update(digest, "erased:" + id));
    update(digest, "erasedTasks:" + erasedTasks);
    for (long count : classCounts) {
      update(digest, "class:" + count);
    }
    update(digest, "downdates:" + downdatesSinceSolve);
    if (solved != null) {
      digest.update(bytes(solved.inverse));
      digest.update(bytes(solved.weights));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public void close() {
    manager.close();
  }

  // ---------------------------------------------------------------------------------------------

  private void ensureSolved() {
    if (solved == null) {
      if (tasks.isEmpty()) {
        throw new IllegalStateException("nothing learned: the model has no classes");
      }
      try (NDManager scratch = manager.newSubManager()) {
        SolvedHead head = solve(scratch, settings.gamma());
        head.keepIn(manager);
        solved = head;
      }
      downdatesSinceSolve = 0;
    }
  }

  /**
   * R = (gamma I + sum G_t)^-1 by PyTorch's LU inverse, symmetrised, and W = R C with one step of
   * iterative refinement (W += R (C - G W)), which brings W to the accuracy of a backward-stable
   * solve (Higham, Accuracy and Stability of Numerical Algorithms, ch. 12).
   */
  private SolvedHead solve(NDManager scratch, double gamma) {
    int d = settings.bufferSize();
    NDArray gram = scratch.eye(d, d, 0, DataType.FLOAT64).muli(gamma);
    NDArray cross = scratch.zeros(new Shape(d, classCounts.length), DataType.FLOAT64);
    for (TaskSums sums : tasks.values()) {
      gram.addi(sums.gram);
      cross.addi(sums.cross);
    }
    NDArray inverse = gram.inverse();
    inverse = inverse.add(inverse.transpose()).muli(0.5);
    NDArray weights = inverse.matMul(cross);
    NDArray residual = cross.sub(gram.matMul(weights));
    weights.addi(inverse.matMul(residual));
    return new SolvedHead(inverse, weights);
  }

  /** The Woodbury downdate of the solved head by the rows h (features) and y (one-hot labels). */
  private SolvedHead woodburyDowndate(NDManager scratch, NDArray h, NDArray y) {
    int b = (int) h.getShape().get(0);
    NDArray hr = h.matMul(solved.inverse); // b x d = X R (R symmetric, so R X^T = hr^T)
    double[] capacitance = h.matMul(hr.transpose()).neg().toDoubleArray(); // -X R X^T
    for (int i = 0; i < b; i++) {
      capacitance[i * b + i] += 1.0; // I - X R X^T
    }
    Cholesky factor;
    try {
      factor = Cholesky.factor(capacitance, b);
    } catch (Cholesky.NotPositiveDefiniteException e) {
      throw new IllegalArgumentException(
          "the samples to erase are not (numerically) contained in the sums; erasure refused", e);
    }
    NDArray kInverse = scratch.create(factor.inverse(), new Shape(b, b));
    NDArray inverse = hr.transpose().matMul(kInverse).matMul(hr).addi(solved.inverse);
    NDArray residual = y.sub(h.matMul(solved.weights)); // Y - X W
    NDArray weights = h.matMul(inverse).transpose().matMul(residual).neg().addi(solved.weights);
    return new SolvedHead(inverse, weights);
  }

  /** Zeroes classes and drops tasks with no retained samples; true if anything changed. */
  private boolean dropEmptyClassesAndTasks() {
    boolean changed = false;
    List<String> emptyTasks = new ArrayList<>();
    tasks.forEach(
        (task, sums) -> {
          if (sums.samples == 0) {
            emptyTasks.add(task);
          }
        });
    for (String task : emptyTasks) {
      tasks.remove(task).close();
      changed = true;
    }
    try (NDManager scratch = manager.newSubManager()) {
      for (int label = 0; label < classCounts.length; label++) {
        if (classCounts[label] != 0) {
          continue;
        }
        NDIndex column = new NDIndex(":, {}", label);
        for (TaskSums sums : tasks.values()) {
          // The true sum is zero: set it exactly instead of leaving subtraction round-off.
          if (sums.cross.get(scratch, column).abs().max().getDouble() != 0.0) {
            sums.cross.set(column, 0.0);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private void ensureClassCapacity(int needed) {
    int current = classCounts.length;
    if (needed <= current) {
      return;
    }
    int grown = Math.max(needed, Math.min(settings.maxClasses(), Math.max(2, current * 2)));
    for (TaskSums sums : tasks.values()) {
      NDArray old = sums.cross;
      NDArray padding =
          manager.zeros(new Shape(settings.bufferSize(), grown - current), DataType.FLOAT64);
      sums.cross = old.concat(padding, 1);
      old.close();
      padding.close();
    }
    long[] counts = new long[grown];
    System.arraycopy(classCounts, 0, counts, 0, current);
    classCounts = counts;
    invalidateSolution();
  }

  private NDArray newGram() {
    return manager.zeros(new Shape(settings.bufferSize(), settings.bufferSize()), DataType.FLOAT64);
  }

  private NDArray newCross() {
    return manager.zeros(new Shape(settings.bufferSize(), classCounts.length), DataType.FLOAT64);
  }

  private NDArray oneHot(NDManager scratch, int[] labels) {
    int k = classCounts.length;
    double[] values = new double[labels.length * k];
    for (int i = 0; i < labels.length; i++) {
      values[i * k + labels[i]] = 1.0;
    }
    return scratch.create(values, new Shape(labels.length, k));
  }

  private void invalidateSolution() {
    if (solved != null) {
      solved.close();
      solved = null;
    }
    downdatesSinceSolve = 0;
  }

  private void requireLabel(String id, int label) {
    if (label < 0 || label >= settings.maxClasses()) {
      throw new IllegalArgumentException(
          "sample "
              + id
              + " has label "
              + label
              + ", expected 0 <= label < "
              + settings.maxClasses()
              + " (analytic.max_classes)");
    }
  }

  private static void requireSameLength(List<String> ids, float[][] features, int[] labels) {
    if (ids.size() != features.length || ids.size() != labels.length) {
      throw new IllegalArgumentException(
          ids.size()
              + " sample ids, "
              + features.length
              + " feature rows and "
              + labels.length
              + " labels: expected one of each per sample");
    }
  }

  /** FNV-1a over the float bits: detects an erasure sent with other features than were learned. */
  static long hash(float[] features) {
    long h = 0xcbf29ce484222325L;
    for (float f : features) {
      h ^= Float.floatToRawIntBits(f);
      h *= 0x100000001b3L;
    }
    return h ^ features.length;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static void update(MessageDigest digest, String text) {
    digest.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static byte[] bytes(NDArray array) {
    double[] values = array.toDoubleArray();
    ByteBuffer buffer =
        ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asDoubleBuffer().put(values);
    return buffer.array();
  }

  /** Per-task sums; mutable because they are updated in place. */
  private static final class TaskSums implements AutoCloseable {
    private NDArray gram;
    private NDArray cross;
    private long samples;

    TaskSums(NDArray gram, NDArray cross) {
      this.gram = gram;
      this.cross = cross;
    }

    @Override
    public void close() {
      gram.close();
      cross.close();
    }
  }

  /** What the learner remembers of a learned sample id. */
  private record LearnedSample(String task, int label, long featureHash) {}

  /** A solved head: R = G^-1 and W = R C. */
  private static final class SolvedHead implements AutoCloseable {
    private final NDArray inverse;
    private final NDArray weights;

    SolvedHead(NDArray inverse, NDArray weights) {
      this.inverse = inverse;
      this.weights = weights;
    }

    void keepIn(NDManager owner) {
      inverse.attach(owner);
      weights.attach(owner);
    }

    @Override
    public void close() {
      inverse.close();
      weights.close();
    }
  }
}
