package io.lethe.learners.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.ContinualLearner;
import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.internal.BlockedCholesky;
import io.lethe.learners.internal.Cholesky;
import io.lethe.learners.internal.SymmetricGram;
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
import java.util.Iterator;
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
 * 13-14, Woodbury) while learning; Lethe only adds to the sums while learning (about a third of the
 * flops, and no fresh d_E x d_E array per batch: docs/benchmarks.md#learning) and solves when W is
 * read.
 *
 * <p>Erasure. Samples: their G_t, C_t contributions are subtracted (recorded at once, applied to
 * the sums before they are next read), and if W is already solved and the erasure is small, W is
 * downdated in place with the Woodbury identity: R' = R + R X^T (I - X R X^T)^-1 X R, W' = W - R'
 * X^T (Y - X W), R kept as R0 plus low-rank corrections between solves (see {@code
 * woodburyDowndate}). The sums stay the source of truth: after {@link
 * AnalyticSettings#refreshAfterDowndates()} downdates or a correction of rank above {@link
 * AnalyticSettings#woodburyMaxRows()} the head is re-solved from them, so Woodbury round-off cannot
 * accumulate. A task: its sums are dropped (data-free). A class whose last sample is erased is
 * zeroed exactly and leaves the predicted classes, as if never learned. Erasing an id that was
 * never learned or is already erased, or with features or label that differ from those learned (a
 * 64-bit hash is kept per id), is refused before anything changes.
 *
 * <p>Thread safety: not thread-safe; one learner per thread (a Flink subtask). Every call sets
 * PyTorch's per-thread grad mode itself. Close the learner to free its native memory.
 */
public final class AnalyticLearner implements ContinualLearner, AutoCloseable {
  /**
   * Learned rows are added to a task's sums in batches of at least this many (or when the sums are
   * read: a solve, the flush before a task's base is exported). A Gram update costs a d_E x d_E
   * write whatever the batch size, so a stream of small micro-batches (a few dozen rows per task,
   * as a job with interleaved tasks produces) would otherwise spend its time writing the sums
   * instead of multiplying; at 2048 rows the product dominates. The rows wait as float32 copies
   * (6.4 MB per task at 784 features).
   */
  static final int SUM_BATCH_ROWS = 2048;

  /**
   * A task's checkpoint journal is replaced by its sums (a new base) once the journal's segments
   * (their packed bytes) would hold this many times the sums' bytes (see {@link
   * #drainChangedState}). A learned row's bytes are written once in a journal segment, and its
   * share of the next base adds 1/ratio of them on average. A restore replays up to this many sums'
   * worth of journal bytes per task: at d_E 2048 about 5,400 rows of 784 dense features, or about
   * 17,000 packed Fashion-MNIST images ({@code AnalyticRestoreBenchmark} measures the worst case).
   * Counting packed bytes rather than rows roughly halves the job's bytes written a sample on
   * images, at the price of that longer restore. A ratio of 2 would write a quarter fewer of the
   * learner's checkpoint bytes, but makes the worst-case restore longer still, and {@code lethe
   * bench-job} showed no throughput gain, so the ratio stays 1
   * (docs/benchmarks.md#settings-chosen-by-measurement).
   */
  static final int JOURNAL_TO_BASE_RATIO = 1;

  private final AnalyticSettings settings;
  private final NDManager manager;
  private final BufferLayer buffer;
  private final Map<String, TaskSums> tasks = new LinkedHashMap<>();
  private final Map<String, LearnedSample> learned = new HashMap<>();
  private final Set<String> erasedIds = new HashSet<>();
  private final List<String> erasedTasks = new ArrayList<>();
  private long[] classCounts = new long[0];
  private final List<PendingDowndate> pending = new ArrayList<>();
  private int pendingRows;
  private SolvedHead solved;
  private int downdatesSinceSolve;
  // Checkpoint bookkeeping (see drainChangedState): what changed since the last export.
  private final Map<String, TaskJournal> journals = new LinkedHashMap<>();
  private final Set<String> rebaseTasks = new HashSet<>();
  private final List<String> deletedParts = new ArrayList<>();
  private long nextJournalSequence;
  private boolean indexChanged;
  // The index log (see drainChangedState): ids learned and erased since the last export, the log
  // parts written since the index was last written whole, and the sizes that decide a rewrite.
  private final List<AnalyticState.Learned> learnedSinceExport = new ArrayList<>();
  private final List<String> erasedSinceExport = new ArrayList<>();
  private final List<String> indexLogParts = new ArrayList<>();
  private long indexLogBytes;
  private long indexBytes = -1; // -1: the index has not been written whole yet

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
    float[][] rows = new float[features.length][];
    for (int i = 0; i < features.length; i++) {
      rows[i] = features[i].clone();
    }
    learnOwnRows(task, sampleIds, rows, null, labels);
  }

  /**
   * Learns a batch whose features are in {@link PackedFeatures}' form, as the learner job carries
   * them: the same as {@link #learn(String, List, float[][], int[])} on the unpacked rows, but the
   * checkpoint journal ({@link #drainChangedState}) keeps the bytes given instead of packing the
   * rows again. Refused as a whole, with nothing changed, if any row is not one packed vector.
   */
  public void learnPacked(
      String task, List<String> sampleIds, byte[][] packedFeatures, int[] labels) {
    float[][] rows = PackedFeatures.unpack(packedFeatures);
    byte[][] packed = new byte[packedFeatures.length][];
    for (int i = 0; i < packedFeatures.length; i++) {
      packed[i] = packedFeatures[i].clone();
    }
    learnOwnRows(task, sampleIds, rows, packed, labels);
  }

  /**
   * {@link #learn(String, List, float[][], int[])} on rows the learner may keep as they are, and
   * their packed form for the journal where the caller has it ({@code packed} null otherwise).
   */
  private void learnOwnRows(
      String task, List<String> sampleIds, float[][] features, byte[][] packed, int[] labels) {
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
    buffer.requireValidRows(features);
    int maxLabel = 0;
    for (int label : labels) {
      maxLabel = Math.max(maxLabel, label);
    }
    ensureClassCapacity(maxLabel + 1);
    TaskSums sums = tasks.computeIfAbsent(task, t -> new TaskSums(newGram(), newCross()));
    TaskJournal journal = journal(task);
    for (int i = 0; i < features.length; i++) {
      float[] row = features[i];
      sums.unsummedRows.add(row);
      sums.unsummedLabels.add(labels[i]);
      journal.sinceExport.add(
          new AnalyticState.JournalRow(false, labels[i], row, packed == null ? null : packed[i]));
    }
    if (sums.unsummedRows.size() >= SUM_BATCH_ROWS) {
      addUnsummedRows(sums);
    }
    indexChanged = true;
    for (int i = 0; i < sampleIds.size(); i++) {
      LearnedSample sample = new LearnedSample(task, labels[i], hash(features[i]));
      learned.put(sampleIds.get(i), sample);
      learnedSinceExport.add(
          new AnalyticState.Learned(sampleIds.get(i), task, sample.label, sample.featureHash()));
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
    // Everything is computed in a scratch manager first; only arrays that become state are kept.
    try (NDManager scratch = manager.newSubManager()) {
      NDArray h = buffer.features(buffer.input(scratch, features));
      NDArray y = oneHot(scratch, labels);
      // The downdated model first: if the capacitance is not positive definite, nothing changed.
      SolvedHead downdated = null;
      if (solved != null
          && solved.rank + sampleIds.size() <= settings.woodburyMaxRows()
          && downdatesSinceSolve < settings.refreshAfterDowndates()) {
        downdated = woodburyDowndate(scratch, h, y);
      }
      // The sums' downdate is recorded and applied before the sums are next read (see flush()).
      for (Map.Entry<String, List<Integer>> entry : rowsByTask.entrySet()) {
        List<Integer> rows = entry.getValue();
        NDArray hTask = h;
        NDArray yTask = y;
        if (rowsByTask.size() > 1) {
          // the task's rows of h and y (each buffer-layer product reads all of W_B, 12.8 MB at
          // d_E 2048, so the features are computed once for the whole erasure)
          NDArray taskRows = scratch.create(rows.stream().mapToLong(Integer::longValue).toArray());
          hTask = h.get(new NDIndex("{}, :", taskRows));
          yTask = y.get(new NDIndex("{}, :", taskRows));
        }
        hTask.attach(manager);
        yTask.attach(manager);
        pending.add(new PendingDowndate(entry.getKey(), hTask, yTask));
        TaskJournal journal = journal(entry.getKey());
        for (int row : rows) {
          journal.sinceExport.add(
              new AnalyticState.JournalRow(true, labels[row], features[row].clone(), null));
        }
        pendingRows += rows.size();
        tasks.get(entry.getKey()).samples -= rows.size();
      }
      if (downdated != null) {
        downdated.keepIn(manager);
        solved.closeWeights();
        solved = downdated;
        downdatesSinceSolve++;
        path = ErasureOutcome.ModelUpdate.WOODBURY_DOWNDATE;
      } else {
        invalidateSolution();
        path = ErasureOutcome.ModelUpdate.RESOLVE_ON_READ;
      }
    }
    if (pendingRows > settings.woodburyMaxRows()) {
      flush();
    }
    indexChanged = true;
    boolean emptied = false;
    for (int i = 0; i < sampleIds.size(); i++) {
      LearnedSample sample = learned.remove(sampleIds.get(i));
      erasedIds.add(sampleIds.get(i));
      erasedSinceExport.add(sampleIds.get(i));
      emptied |= --classCounts[sample.label] == 0;
    }
    emptied |= rowsByTask.keySet().stream().anyMatch(task -> tasks.get(task).samples == 0);
    if (emptied) {
      // A class or task lost its last sample: set its sums to exactly zero, as if never learned.
      flush();
      dropEmptyClassesAndTasks();
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
    flush();
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
      erasedSinceExport.add(id);
    }
    tasks.remove(task).close();
    markDropped(task);
    erasedTasks.add(task);
    dropEmptyClassesAndTasks();
    invalidateSolution();
    return new ErasureOutcome(count, ErasureOutcome.ModelUpdate.RESOLVE_ON_READ);
  }

  /** The head W for the classes with retained samples, solving from the sums if needed. */
  public HeadWeights weights() {
    Torch.noGradOnThisThread();
    if (tasks.isEmpty()) {
      // Nothing retained (never learned, or all erased): a head with no classes.
      return new HeadWeights(List.of(), settings.bufferSize(), new double[0]);
    }
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

  /**
   * Re-solves W from the sums now, dropping the Woodbury corrections accumulated since the last
   * solve, and prepares R0 = G^-1 for the next erasure's Woodbury downdate (O(d_E^3)). The learner
   * does this by itself when needed (R0 only when an erasure needs it); a caller may do it at a
   * quiet moment, e.g. right after publishing a snapshot, so that the next erasure is fast.
   */
  public void resolve() {
    Torch.noGradOnThisThread();
    invalidateSolution();
    ensureSolved();
    ensureInverse();
  }

  /**
   * This learner's sums over all its tasks and its counts: what it contributes as one shard of a
   * data-parallel model ({@link AnalyticPartialSums#merge}). Adds the rows waiting to be summed.
   */
  public AnalyticPartialSums partialSums() {
    Torch.noGradOnThisThread();
    flush();
    int d = settings.bufferSize();
    if (tasks.isEmpty()) {
      return new AnalyticPartialSums(
          d, null, null, classCounts.clone(), samplesPerTask(), erasedTasks());
    }
    try (NDManager scratch = manager.newSubManager()) {
      NDArray gram = scratch.zeros(new Shape(d, d), DataType.FLOAT64);
      NDArray cross = scratch.zeros(new Shape(d, classCounts.length), DataType.FLOAT64);
      for (TaskSums sums : tasks.values()) {
        gram.addi(sums.gram);
        cross.addi(sums.cross);
      }
      return new AnalyticPartialSums(
          d,
          gram.toDoubleArray(),
          cross.toDoubleArray(),
          classCounts.clone(),
          samplesPerTask(),
          erasedTasks());
    }
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

  /** Whether the sample was learned and has since been erased (by id, subject or its task). */
  public boolean hasErased(String sampleId) {
    return erasedIds.contains(sampleId);
  }

  /**
   * Lower-case hex SHA-256 of the whole state: every task's sums and counts, the id index, the
   * erased ids and tasks, and the solved head if any. Two learners with equal digests are
   * bit-for-bit equal; tests use it to show that refused operations change nothing.
   */
  public String stateDigest() {
    flush(); // recorded downdates are part of the state's value; apply them so bits compare
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
      for (NDArray array : solved.factor.arrays()) {
        digest.update(bytes(array));
      }
      digest.update(bytes(solved.weights));
      for (Correction c : solved.corrections) {
        digest.update(bytes(c.basis));
        digest.update(bytes(c.core));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Checkpoint support: the parts of the state that changed since the previous call, as bytes; a
   * part that no longer exists maps to {@code null}.
   *
   * <ul>
   *   <li>{@value AnalyticState#INDEX}: the bookkeeping (learned and erased ids, class counts,
   *       tasks), written whole the first time and whenever its log would outgrow it.
   *   <li>{@code index-log/<n>}: otherwise, whenever the bookkeeping changed, the ids learned and
   *       erased since the previous call and the (small) class and task counts; deleted when the
   *       index is next written whole. Without the log every checkpoint would rewrite every id ever
   *       learned (about 40 bytes each: 4.8 MB at 120,000 samples, growing with the stream).
   *   <li>{@code journal/<n>/<task>}: the rows learned into or erased from the task since the
   *       previous call (labels and packed features: {@link io.lethe.learners.data.PackedFeatures},
   *       about 1 KB a row for Fashion-MNIST, 3 KB for 784 dense features).
   *   <li>{@code task/<task>}: the task's sums (its base), written instead of a journal segment
   *       once the task's journal would outgrow them ({@link #JOURNAL_TO_BASE_RATIO}); its segments
   *       are then deleted.
   * </ul>
   *
   * <p>Why a journal: a task's sums are d_E^2 / 2 doubles (16 MiB at d_E 2048) however few rows
   * changed them, and with interleaved tasks every checkpoint would rewrite all of them. With the
   * journal each row is written about twice (once in a segment, then its share of the next base). A
   * restore replays the segments onto the base: the same sums up to float64 round-off, since the
   * rows are added in other groups than the running learner added them. The solved head is not part
   * of the state: a restored learner solves it again.
   */
  public Map<String, byte[]> drainChangedState() {
    Torch.noGradOnThisThread();
    Map<String, byte[]> parts = new LinkedHashMap<>();
    if (indexChanged) {
      putIndex(parts);
    }
    deletedParts.forEach(key -> parts.put(key, null));
    int d = settings.bufferSize();
    long sumsBytes = (long) Double.BYTES * ((long) d * (d + 1) / 2 + (long) d * classCounts.length);
    for (Map.Entry<String, TaskSums> entry : tasks.entrySet()) {
      String task = entry.getKey();
      TaskJournal journal = journal(task);
      byte[] segment =
          journal.sinceExport.isEmpty()
              ? null
              : AnalyticState.encodeJournal(journal.sinceExport, settings.inputDim());
      long journalBytes = journal.bytesSinceBase + (segment == null ? 0 : segment.length);
      if (rebaseTasks.contains(task) || journalBytes >= JOURNAL_TO_BASE_RATIO * sumsBytes) {
        TaskSums sums = entry.getValue();
        flush(task, sums);
        parts.put(
            AnalyticState.taskPart(task),
            AnalyticState.encodeSums(sums.gram.toDoubleArray(), sums.cross.toDoubleArray(), d));
        journal.segments.forEach(key -> parts.put(key, null));
        journal.segments.clear();
        journal.bytesSinceBase = 0;
        journal.sinceExport.clear();
      } else if (segment != null) {
        String key = AnalyticState.journalPart(nextJournalSequence++, task);
        parts.put(key, segment);
        journal.segments.add(key);
        journal.bytesSinceBase += segment.length;
        journal.sinceExport.clear();
      }
    }
    deletedParts.clear();
    rebaseTasks.clear();
    indexChanged = false;
    return parts;
  }

  /**
   * Adds the index to {@code parts}: a log entry with what changed since the previous export, or
   * the whole index (deleting the log) the first time and once the log would outgrow it, so each id
   * is written about twice however long the stream.
   */
  private void putIndex(Map<String, byte[]> parts) {
    byte[] entry = null;
    if (indexBytes >= 0) {
      entry =
          AnalyticState.encodeIndex(
              new AnalyticState.Index(
                  classCounts.clone(),
                  taskCounts(),
                  List.copyOf(learnedSinceExport),
                  List.copyOf(erasedSinceExport),
                  List.copyOf(erasedTasks)));
    }
    if (entry == null || indexLogBytes + entry.length > indexBytes) {
      byte[] whole = AnalyticState.encodeIndex(indexView());
      parts.put(AnalyticState.INDEX, whole);
      indexLogParts.forEach(key -> parts.put(key, null));
      indexLogParts.clear();
      indexLogBytes = 0;
      indexBytes = whole.length;
    } else {
      String key = AnalyticState.indexLogPart(nextJournalSequence++);
      parts.put(key, entry);
      indexLogParts.add(key);
      indexLogBytes += entry.length;
    }
    learnedSinceExport.clear();
    erasedSinceExport.clear();
  }

  /**
   * Rebuilds a learner from the parts {@link #drainChangedState} produced (the latest of each).
   *
   * @throws IllegalArgumentException if the parts are incomplete or do not fit {@code settings}
   */
  public static AnalyticLearner restore(AnalyticSettings settings, Map<String, byte[]> parts) {
    byte[] wholeIndex = parts.get(AnalyticState.INDEX);
    if (wholeIndex == null) {
      throw new IllegalArgumentException("analytic learner state has no index part");
    }
    AnalyticState.Index base = AnalyticState.decodeIndex(wholeIndex);
    TreeMap<Long, String> indexLog = new TreeMap<>();
    for (String key : parts.keySet()) {
      Long sequence = AnalyticState.parseIndexLogPart(key);
      if (sequence != null) {
        indexLog.put(sequence, key);
      }
    }
    List<AnalyticState.Index> logEntries = new ArrayList<>();
    indexLog.values().forEach(key -> logEntries.add(AnalyticState.decodeIndex(parts.get(key))));
    AnalyticState.Index index = AnalyticState.replay(base, logEntries);
    AnalyticLearner learner = new AnalyticLearner(settings);
    try {
      learner.indexBytes = wholeIndex.length;
      for (String key : indexLog.values()) {
        learner.indexLogParts.add(key);
        learner.indexLogBytes += parts.get(key).length;
      }
      if (!indexLog.isEmpty()) {
        learner.nextJournalSequence = indexLog.lastKey() + 1;
      }
      learner.classCounts = index.classCounts().clone();
      int d = settings.bufferSize();
      int k = learner.classCounts.length;
      Map<String, TreeMap<Long, byte[]>> journals = new HashMap<>();
      for (Map.Entry<String, byte[]> part : parts.entrySet()) {
        AnalyticState.JournalKey key = AnalyticState.parseJournalPart(part.getKey());
        if (key != null) {
          journals
              .computeIfAbsent(key.task(), t -> new TreeMap<>())
              .put(key.sequence(), part.getValue());
          learner.nextJournalSequence = Math.max(learner.nextJournalSequence, key.sequence() + 1);
        }
      }
      for (AnalyticState.TaskCount task : index.tasks()) {
        byte[] sumsBytes = parts.get(AnalyticState.taskPart(task.task()));
        TreeMap<Long, byte[]> segments = journals.remove(task.task());
        if (sumsBytes == null && segments == null) {
          throw new IllegalArgumentException(
              "analytic learner state has no sums and no journal for task " + task.task());
        }
        TaskSums restored;
        if (sumsBytes == null) {
          restored = new TaskSums(learner.newGram(), learner.newCross());
        } else {
          AnalyticState.Sums sums = AnalyticState.decodeSums(sumsBytes, d, k);
          restored =
              new TaskSums(
                  learner.manager.create(sums.gram(), new Shape(d, d)),
                  learner.manager.create(sums.cross(), new Shape(d, k)));
        }
        restored.samples = task.samples();
        learner.tasks.put(task.task(), restored);
        if (segments != null) {
          segments.forEach(
              (sequence, bytes) ->
                  learner.replay(
                      task.task(),
                      AnalyticState.journalPart(sequence, task.task()),
                      AnalyticState.decodeJournal(bytes, settings.inputDim()),
                      bytes.length));
        }
      }
      if (!journals.isEmpty()) {
        throw new IllegalArgumentException(
            "analytic learner state has journal segments for tasks it does not hold: "
                + new TreeSet<>(journals.keySet()));
      }
      index
          .learned()
          .forEach(
              s -> learner.learned.put(s.id(), new LearnedSample(s.task(), s.label(), s.hash())));
      learner.erasedIds.addAll(index.erasedIds());
      learner.erasedTasks.addAll(index.erasedTasks());
      return learner;
    } catch (RuntimeException e) {
      learner.close();
      throw e;
    }
  }

  private List<AnalyticState.TaskCount> taskCounts() {
    List<AnalyticState.TaskCount> taskCounts = new ArrayList<>();
    tasks.forEach((task, sums) -> taskCounts.add(new AnalyticState.TaskCount(task, sums.samples)));
    return taskCounts;
  }

  private AnalyticState.Index indexView() {
    List<AnalyticState.TaskCount> taskCounts = taskCounts();
    List<AnalyticState.Learned> ids = new ArrayList<>(learned.size());
    learned.forEach(
        (id, s) -> ids.add(new AnalyticState.Learned(id, s.task(), s.label(), s.featureHash())));
    return new AnalyticState.Index(
        classCounts.clone(), taskCounts, ids, List.copyOf(erasedIds), List.copyOf(erasedTasks));
  }

  /**
   * Restores one journal segment of a task: learned rows wait to be summed, erased rows become
   * recorded downdates, exactly as when they arrived.
   */
  private void replay(
      String task, String segmentKey, List<AnalyticState.JournalRow> rows, long segmentBytes) {
    TaskSums sums = tasks.get(task);
    List<float[]> erasedFeatures = new ArrayList<>();
    List<Integer> erasedLabels = new ArrayList<>();
    for (AnalyticState.JournalRow row : rows) {
      if (row.erased()) {
        erasedFeatures.add(row.features());
        erasedLabels.add(row.label());
      } else {
        sums.unsummedRows.add(row.features());
        sums.unsummedLabels.add(row.label());
      }
    }
    if (!erasedFeatures.isEmpty()) {
      try (NDManager scratch = manager.newSubManager()) {
        NDArray h = buffer.features(buffer.input(scratch, erasedFeatures.toArray(new float[0][])));
        NDArray y = oneHot(scratch, erasedLabels.stream().mapToInt(Integer::intValue).toArray());
        h.attach(manager);
        y.attach(manager);
        pending.add(new PendingDowndate(task, h, y));
        pendingRows += erasedFeatures.size();
      }
    }
    TaskJournal journal = journal(task);
    journal.segments.add(segmentKey);
    journal.bytesSinceBase += segmentBytes;
  }

  private TaskJournal journal(String task) {
    return journals.computeIfAbsent(task, t -> new TaskJournal());
  }

  private void markDropped(String task) {
    rebaseTasks.remove(task);
    deletedParts.add(AnalyticState.taskPart(task));
    TaskJournal journal = journals.remove(task);
    if (journal != null) {
      deletedParts.addAll(journal.segments);
    }
    indexChanged = true;
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
   * R0 = G^-1 of the solved head, which the Woodbury downdate multiplies by: computed from the
   * Cholesky factor the first time it is needed after a solve, and shared by the downdated heads
   * that follow. A head that is only published never needs it.
   */
  private NDArray ensureInverse() {
    if (solved.inverse == null) {
      try (NDManager scratch = manager.newSubManager()) {
        int d = settings.bufferSize();
        NDArray r = solved.factor.solve(scratch.eye(d, d, 0, DataType.FLOAT64));
        NDArray inverse = r.add(r.transpose()).muli(0.5);
        inverse.attach(manager);
        solved.inverse = inverse;
      }
    }
    return solved.inverse;
  }

  /**
   * W = R C with R = (gamma I + sum G_t)^-1, through a blocked Cholesky factor of gamma I + sum G_t
   * (n^3 / 3 flops, against about 2 n^3 for PyTorch's LU inverse, once per published snapshot:
   * docs/benchmarks.md#settings-chosen-by-measurement), with one step of iterative refinement (W +=
   * R (C - G W)), which brings W to the accuracy of a backward-stable solve (Higham, Accuracy and
   * Stability of Numerical Algorithms, ch. 12). R0 = R itself is computed only if a Woodbury
   * downdate needs it.
   */
  private SolvedHead solve(NDManager scratch, double gamma) {
    flush();
    int d = settings.bufferSize();
    NDArray gram = scratch.eye(d, d, 0, DataType.FLOAT64).muli(gamma);
    NDArray cross = scratch.zeros(new Shape(d, classCounts.length), DataType.FLOAT64);
    for (TaskSums sums : tasks.values()) {
      gram.addi(sums.gram);
      cross.addi(sums.cross);
    }
    BlockedCholesky factor;
    try {
      factor = BlockedCholesky.factor(gram);
    } catch (Cholesky.NotPositiveDefiniteException e) {
      throw new IllegalStateException(
          "gamma I + G is not numerically positive definite (gamma " + gamma + ")", e);
    }
    NDArray weights = factor.solve(cross);
    NDArray residual = cross.sub(gram.matMul(weights));
    weights.addi(factor.solve(residual));
    return new SolvedHead(factor, weights);
  }

  /**
   * The Woodbury downdate of the solved head by the rows h (features X) and y (one-hot Y), with R
   * kept as R0 plus corrections so that no d_E x d_E array is written (each such write costs tens
   * of milliseconds of page faults for a fresh 32 MiB buffer at d_E 2048, more than the
   * arithmetic): with P = R X^T and K = (I - X P)^-1, R' = R + P K P^T (one more correction) and,
   * since R' X^T = P K, W' = W - P K (Y - X W).
   */
  private SolvedHead woodburyDowndate(NDManager scratch, NDArray h, NDArray y) {
    int b = (int) h.getShape().get(0);
    NDArray xr = h.matMul(ensureInverse()); // X R0, b x d (R0 symmetric)
    for (Correction c : solved.corrections) {
      xr.addi(h.matMul(c.basis).matMul(c.core).matMul(c.basis.transpose())); // + X P_i K_i P_i^T
    }
    NDArray p = xr.transpose(); // R X^T, d x b
    double[] capacitance = h.matMul(p).neg().toDoubleArray(); // -X R X^T
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
    NDArray k = scratch.create(factor.inverse(), new Shape(b, b));
    NDArray pk = p.matMul(k); // d x b
    NDArray residual = y.sub(h.matMul(solved.weights)); // Y - X W
    NDArray weights = pk.matMul(residual).neg().addi(solved.weights);
    List<Correction> corrections = new ArrayList<>(solved.corrections);
    corrections.add(new Correction(p.duplicate(), k));
    return new SolvedHead(solved.factor, solved.inverse, weights, corrections, solved.rank + b);
  }

  /**
   * Adds a task's learned-but-unsummed rows to its sums: G_t += H^T H, C_t += H^T Y, as one batch.
   */
  private void addUnsummedRows(TaskSums sums) {
    List<float[]> rows = sums.unsummedRows;
    List<Integer> labels = sums.unsummedLabels;
    // After a restore a task can hold several batches' worth of replayed rows: sum them in batches
    // of SUM_BATCH_ROWS (the last one up to twice that), so the projected rows (rows x d_E
    // doubles, 32 MiB a batch at d_E 2048) never take more memory than a running learner's do.
    int from = 0;
    while (from < rows.size()) {
      int to = rows.size() - from >= 2 * SUM_BATCH_ROWS ? from + SUM_BATCH_ROWS : rows.size();
      addRows(
          sums,
          rows.subList(from, to).toArray(new float[0][]),
          labels.subList(from, to).stream().mapToInt(Integer::intValue).toArray());
      from = to;
    }
    rows.clear();
    labels.clear();
  }

  /** G_t += H^T H, C_t += H^T Y for one batch of a task's rows. */
  private void addRows(TaskSums sums, float[][] rows, int[] labels) {
    try (NDManager scratch = manager.newSubManager()) {
      NDArray h = buffer.features(buffer.input(scratch, rows));
      SymmetricGram.addTo(sums.gram, h);
      sums.cross.addi(h.transpose().matMul(oneHot(scratch, labels)));
    }
  }

  /**
   * Brings the sums up to date before they are read: adds the rows learned since (see {@link
   * #SUM_BATCH_ROWS}), then applies the recorded downdates, G_t -= X^T X, C_t -= X^T Y per erased
   * batch.
   */
  private void flush() {
    for (TaskSums sums : tasks.values()) {
      addUnsummedRows(sums);
    }
    subtract(pending);
    pending.clear();
    pendingRows = 0;
  }

  /**
   * Brings one task's sums up to date before they are written as its base. The other tasks keep
   * their waiting rows: summing them too would cut their batches short at every rebase (a rebase
   * comes about every 17,000 rows of a task of images, so with five interleaved tasks every 3,400
   * samples or so), and each batch reads and writes all of G, 32 MiB at d_E 2048, whatever its
   * rows.
   */
  private void flush(String task, TaskSums sums) {
    addUnsummedRows(sums);
    List<PendingDowndate> own = new ArrayList<>();
    for (Iterator<PendingDowndate> it = pending.iterator(); it.hasNext(); ) {
      PendingDowndate downdate = it.next();
      if (downdate.task.equals(task)) {
        own.add(downdate);
        pendingRows -= (int) downdate.features.getShape().get(0);
        it.remove();
      }
    }
    subtract(own);
  }

  /** Applies recorded downdates to their tasks' sums and frees their arrays. */
  private void subtract(List<PendingDowndate> downdates) {
    if (downdates.isEmpty()) {
      return;
    }
    try (NDManager scratch = manager.newSubManager()) {
      for (PendingDowndate downdate : downdates) {
        downdate.features.attach(scratch);
        downdate.targets.attach(scratch);
        TaskSums sums = tasks.get(downdate.task);
        if (sums != null) {
          SymmetricGram.subtractFrom(sums.gram, downdate.features);
          sums.cross.subi(
              downdate.features.transpose().matMul(padColumns(scratch, downdate.targets)));
        }
      }
    }
  }

  /** Widens one-hot targets recorded before new classes appeared. */
  private NDArray padColumns(NDManager scratch, NDArray targets) {
    long have = targets.getShape().get(1);
    if (have == classCounts.length) {
      return targets;
    }
    return targets.concat(
        scratch.zeros(
            new Shape(targets.getShape().get(0), classCounts.length - have), DataType.FLOAT64),
        1);
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
      markDropped(task);
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
            rebaseTasks.addAll(tasks.keySet()); // a zeroed column cannot be replayed exactly
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
    rebaseTasks.addAll(tasks.keySet()); // bases are written as wide as the index's classes
    indexChanged = true;
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

  /** Rows learned into {@code task} that are not in its sums yet (for tests). */
  int waitingRows(String task) {
    return tasks.get(task).unsummedRows.size();
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
    // learned rows not yet in gram and cross (validated, copied); see SUM_BATCH_ROWS
    private final List<float[]> unsummedRows = new ArrayList<>();
    private final List<Integer> unsummedLabels = new ArrayList<>();

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

  /**
   * A task's checkpoint journal: the rows since the last export, and the segments written since the
   * task's base (see drainChangedState).
   */
  private static final class TaskJournal {
    private final List<AnalyticState.JournalRow> sinceExport = new ArrayList<>();
    private final List<String> segments = new ArrayList<>();
    private long bytesSinceBase;
  }

  /** What the learner remembers of a learned sample id. */
  private record LearnedSample(String task, int label, long featureHash) {}

  /** A recorded sums downdate of one task: its erased rows' features and one-hot targets. */
  private record PendingDowndate(String task, NDArray features, NDArray targets) {}

  /** One Woodbury correction P K P^T of R: P = R X^T (d x b) and K = (I - X R X^T)^-1. */
  private record Correction(NDArray basis, NDArray core) {}

  /**
   * A solved head: W = R C with R = R0 + sum_i P_i K_i P_i^T, where R0 = G^-1 at the last solve
   * (kept as G's Cholesky factor, and as an array once a downdate needed it) and the sum the
   * Woodbury corrections since (none right after a solve). R0 is shared between a head and its
   * downdated successor.
   */
  private static final class SolvedHead implements AutoCloseable {
    private final BlockedCholesky factor;
    private NDArray inverse; // R0, null until ensureInverse()
    private final NDArray weights;
    private final List<Correction> corrections;
    private final int rank;

    SolvedHead(
        BlockedCholesky factor,
        NDArray inverse,
        NDArray weights,
        List<Correction> corrections,
        int rank) {
      this.factor = factor;
      this.inverse = inverse;
      this.weights = weights;
      this.corrections = List.copyOf(corrections);
      this.rank = rank;
    }

    SolvedHead(BlockedCholesky factor, NDArray weights) {
      this(factor, null, weights, List.of(), 0);
    }

    void keepIn(NDManager owner) {
      factor.attach(owner);
      if (inverse != null) {
        inverse.attach(owner);
      }
      weights.attach(owner);
      for (Correction c : corrections) {
        c.basis.attach(owner);
        c.core.attach(owner);
      }
    }

    /** Closes the weights only: R0 and the corrections are shared with the successor. */
    void closeWeights() {
      weights.close();
    }

    @Override
    public void close() {
      factor.close();
      if (inverse != null) {
        inverse.close();
      }
      weights.close();
      for (Correction c : corrections) {
        c.basis.close();
        c.core.close();
      }
    }
  }
}
