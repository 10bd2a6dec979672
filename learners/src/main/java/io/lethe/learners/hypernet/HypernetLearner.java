package io.lethe.learners.hypernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.lethe.learners.hypernet.internal.Adam;
import io.lethe.learners.hypernet.internal.HypernetForward;
import io.lethe.learners.hypernet.internal.HypernetForward.ParameterShape;
import io.lethe.learners.hypernet.internal.LearningThread;
import io.lethe.learners.hypernet.internal.SampleWindow;
import io.lethe.learners.hypernet.internal.SampleWindow.Batch;
import io.lethe.learners.hypernet.internal.TensorCodec;
import io.lethe.learners.refresh.RefreshLearning;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A streaming, task-incremental learner whose only weights are a chunked hypernetwork and one
 * embedding per task (von Oswald et al., ICLR 2020), with data-free task erasure by noise alignment
 * (UnCLe, Adhikari et al. 2025) and optional refresh learning (Wang et al., ICLR 2024).
 *
 * <p>Learning task t minimises, per step on a batch drawn from the bounded window of t's recent
 * samples, {@code CE(f(x; H(e_t)), y) + beta/T * sum_j ||H(e_j; phi) - H(e_j; phi*)||^2} over the T
 * other active tasks j (von Oswald et al. 2020, Eq. 2, without its look-ahead term, normalised by T
 * as in UnCLe), training phi and e_t only with Adam and global-norm clipping. phi* is the
 * hypernetwork as it was when the current operation began: a learn operation is a run of
 * consecutive micro-batches of one task, so the targets H(e_j; phi*) are stored when the learner
 * switches to a task or after an erasure. An erasure of another task in the middle of a learn
 * operation (with its own optimizer) does not end it: the operation keeps its Adam state.
 *
 * <p>Erasing task f minimises {@code beta/T * sum_j ||H(e_j) - H(e_j; phi*)||^2 + gamma/S * sum_s
 * ||H(e_f) - eps_s||^2} with S fresh eps_s ~ N(0, I) per step (UnCLe's noise-alignment unlearning),
 * training phi only, for a step count that starts at {@code firstEraseSteps} and shrinks by {@code
 * eraseStepDecay} per erasure; then f is refused by {@link #learn}, {@link #predict} and {@link
 * #scores}, and its embedding never enters a snapshot. In UnCLe f then leaves every regulariser;
 * here, with {@code erase.relapseGuard} on (the default), f's erased output stays under the
 * stability term of later operations of this instance, because without it later learning drifted an
 * erased Fashion-MNIST task to 37% (13 points from chance). The embedding is kept in memory for
 * that and for {@link #auditPredict}.
 *
 * <p>Not thread-safe: use one learner from one thread at a time. Any thread may be used (each
 * operation sets the thread's grad mode). DJL's PyTorch gradient collector is JVM-wide exclusive,
 * so two learners in one JVM must not run learning operations at the same moment.
 */
public final class HypernetLearner implements AutoCloseable {

  private static final String PHI = "hypernet";
  private static final String TASK_EMBEDDING = "task.embedding";
  private static final String OWNER = "hypernetwork learner";

  /**
   * Held from seeding the engine's generator to drawing from it: PyTorch has one generator per
   * process, and DJL offers no generator of one's own.
   */
  private static final Object ENGINE_GENERATOR = new Object();

  private final HypernetSettings settings;
  private final HypernetArchitecture arch;
  private final NDManager root;
  private final Random random;

  /** Seeds the engine's generator before each erasure step's noise draws (see {@link #noise}). */
  private final Random noiseSeeds;

  /** Draws the other candidates of a new task embedding (see {@link #freshEmbedding}). */
  private final Random candidateSeeds;

  /** Embeddings drawn for a new task, the first one preferred. */
  static final int EMBEDDING_CANDIDATES = 8;

  /** Below this share of the best candidate's liveness, the first draw counts as collapsed. */
  static final double DEAD_LIVENESS = 0.1;

  /** A task's samples that {@link #freshEmbedding} probes the candidates with, at most. */
  static final int PROBE_ROWS = 64;

  private final List<ParameterShape> layout;
  private NDArray phi;
  private NDArray chunkEmbeddings;
  private final Map<String, NDArray> taskEmbeddings = new LinkedHashMap<>();
  private final Map<String, NDArray> erasedEmbeddings = new LinkedHashMap<>();
  private final Set<String> erasedTasks = new LinkedHashSet<>();
  private final Map<String, Long> samplesPerTask = new LinkedHashMap<>();
  private final Map<String, Long> stepsPerTask = new LinkedHashMap<>();
  private final SampleWindow window;
  private final RefreshLearning refresh;

  private String windowTask;
  private String operationTask;
  private Adam optimizer;
  private Anchors anchors;
  private int nextEraseSteps;
  private long normalSteps;
  private Double lastLearnLoss;
  private Double lastEraseLoss;

  /** Targets H(e_j; phi*) of the tasks under the stability term, one row per task. */
  private record Anchors(List<String> tasks, NDArray targets, NDManager manager) {}

  /**
   * Creates a learner with freshly initialised, seeded weights and no tasks.
   *
   * <p>Initialisation: trunk weights He-normal, head weights N(0, 1/fan-in), biases zero, chunk and
   * task embeddings N(0, 1); the generated layers then start LeCun-scaled (see {@link
   * HypernetArchitecture}).
   */
  public HypernetLearner(HypernetSettings settings) {
    this.settings = settings;
    this.arch = settings.architecture();
    this.root = NDManager.newBaseManager(settings.djlDevice());
    LearningThread.prepare(settings.intraOpThreads());
    this.random = new Random(settings.seed());
    // apart from `random`, so that erasures leave the window draws as they were
    this.noiseSeeds = new Random(~settings.seed());
    this.candidateSeeds = new Random(settings.seed() ^ 0x5DEECE66DL);
    this.layout = HypernetForward.parameterShapes(arch);
    float[] initial = new float[HypernetForward.parameterCount(arch)];
    for (ParameterShape p : layout) {
      if (p.fanIn() > 0) {
        double gain = p.name().equals(HypernetForward.HEAD_WEIGHT) ? 1.0 : 2.0;
        double std = Math.sqrt(gain / p.fanIn());
        for (int i = 0; i < p.size(); i++) {
          initial[p.offset() + i] = (float) (random.nextGaussian() * std);
        }
      }
    }
    this.phi = root.create(initial);
    this.chunkEmbeddings = gaussian(HypernetSnapshots.chunkShape(arch), 1.0);
    this.window = new SampleWindow(settings.windowSize());
    this.refresh = new RefreshLearning(settings.refresh(), root);
    this.nextEraseSteps = settings.firstEraseSteps();
  }

  /**
   * Restores a learner from a snapshot so that it can score and keep learning; optimizer state, the
   * refresh Fisher and the sample window start empty, and erased tasks stay refused.
   *
   * @throws IllegalArgumentException if the snapshot's architecture differs from the settings'
   */
  public static HypernetLearner fromSnapshot(ModelSnapshot snapshot, HypernetSettings settings) {
    HypernetLearner learner = new HypernetLearner(settings);
    try {
      HypernetSnapshots.Contents contents = HypernetSnapshots.read(snapshot, learner.root);
      if (!contents.architecture().equals(learner.arch)) {
        throw new IllegalArgumentException(
            "snapshot "
                + snapshot.getModel()
                + " v"
                + snapshot.getVersion()
                + " has architecture "
                + contents.architecture()
                + " but the settings describe "
                + learner.arch);
      }
      learner.chunkEmbeddings.close();
      learner.chunkEmbeddings = contents.chunkEmbeddings();
      float[] values = new float[HypernetForward.parameterCount(learner.arch)];
      for (ParameterShape p : learner.layout) {
        float[] part = contents.phi().get(p.name()).toFloatArray();
        System.arraycopy(part, 0, values, p.offset(), p.size());
      }
      contents.phi().values().forEach(NDArray::close);
      learner.phi.close();
      learner.phi = learner.root.create(values);
      learner.taskEmbeddings.putAll(contents.taskEmbeddings());
      snapshot
          .getLineage()
          .getSamplesPerTask()
          .forEach(s -> learner.samplesPerTask.put(s.getTask(), s.getSamples()));
      for (String erased : snapshot.getLineage().getErasedTasks()) {
        learner.erasedTasks.add(erased);
        learner.nextEraseSteps = learner.decayedEraseSteps(learner.nextEraseSteps);
      }
      return learner;
    } catch (RuntimeException e) {
      learner.close();
      throw e;
    }
  }

  /** The settings of this learner. */
  public HypernetSettings settings() {
    return settings;
  }

  /** Tasks that can be learned further and scored, in the order they were first learned. */
  public List<String> activeTasks() {
    return List.copyOf(taskEmbeddings.keySet());
  }

  /** Tasks erased so far, in erasure order. */
  public Set<String> erasedTasks() {
    return Set.copyOf(erasedTasks);
  }

  /** Steps the next erasure will take. */
  public int nextEraseSteps() {
    return nextEraseSteps;
  }

  /**
   * Learns one micro-batch of {@code task}: adds it to the window (evicting the oldest samples) and
   * takes {@code stepsPerBatch} steps on batches drawn from the window. A task seen for the first
   * time gets a new embedding; switching tasks starts a new operation (fresh optimizer, targets of
   * the other tasks frozen now, window emptied).
   *
   * @param task task id
   * @param x samples, one row of {@code inputs} finite features each
   * @param y labels within the task, 0..classesPerTask-1
   * @throws TaskErasedException if the task was erased
   * @throws IllegalArgumentException for a malformed batch
   */
  public LearnReport learn(String task, float[][] x, int[] y) {
    LearningThread.prepare(settings.intraOpThreads());
    requireTaskName(task);
    requireNotErased(task, "learn");
    Inputs.requireFeatures(OWNER, task, x, arch.inputs());
    Inputs.requireLabels(OWNER, task, x, y, arch.classesPerTask());
    if (!task.equals(operationTask)) {
      beginLearning(task, x);
    }
    window.addAll(x, y);
    samplesPerTask.merge(task, (long) x.length, Long::sum);
    double lossSum = 0;
    int refreshSteps = 0;
    for (int s = 0; s < settings.stepsPerBatch(); s++) {
      Batch batch = window.sample(settings.batchSize(), random);
      if (refresh.isDue(normalSteps)) {
        refreshStep(task, batch);
        refreshSteps++;
      }
      lossSum += trainStep(task, batch, optimizer);
      normalSteps++;
    }
    stepsPerTask.merge(task, (long) settings.stepsPerBatch(), Long::sum);
    return new LearnReport(
        task, x.length, settings.stepsPerBatch(), lossSum / settings.stepsPerBatch(), refreshSteps);
  }

  /**
   * Steps the current task still lacks to its {@code steps-per-task} budget: 0 when there is no
   * current task or its window is empty (after {@link #finishTask}, an erasure of it or a restore).
   */
  public long stepsToBudget() {
    if (windowTask == null || window.size() == 0) {
      return 0;
    }
    return Math.max(0, settings.stepsPerTask() - stepsPerTask.getOrDefault(windowTask, 0L));
  }

  /**
   * Takes steps on batches drawn from the current task's window, as {@link #learn} does, until the
   * task has had its {@code steps-per-task} budget or {@code maxNanos} have passed (at least one
   * step while budget remains). Never trains past the budget; the window stays as it is.
   *
   * @return steps taken
   */
  public int trainToBudget(long maxNanos) {
    long remaining = stepsToBudget();
    if (remaining == 0) {
      return 0;
    }
    LearningThread.prepare(settings.intraOpThreads());
    String task = windowTask;
    if (!task.equals(operationTask)) {
      // no operation under way on the window's task: begin one
      beginLearning(task, null);
    }
    long start = System.nanoTime();
    int steps = 0;
    do {
      Batch batch = window.sample(settings.batchSize(), random);
      if (refresh.isDue(normalSteps)) {
        refreshStep(task, batch);
      }
      trainStep(task, batch, optimizer);
      normalSteps++;
      steps++;
    } while (steps < remaining && System.nanoTime() - start < maxNanos);
    stepsPerTask.merge(task, (long) steps, Long::sum);
    return steps;
  }

  /** Steps taken on each active task so far (by {@link #learn} and {@link #trainToBudget}). */
  public Map<String, Long> stepsPerTask() {
    return Map.copyOf(stepsPerTask);
  }

  /**
   * Restores the steps taken per task (a checkpoint's count, since snapshots do not carry it);
   * counts of tasks that are not active are ignored.
   */
  public void restoreStepsPerTask(Map<String, Long> steps) {
    steps.forEach(
        (task, count) -> {
          if (taskEmbeddings.containsKey(task)) {
            stepsPerTask.put(task, count);
          }
        });
  }

  /**
   * Ends the current task: with refresh learning on, estimates the diagonal Fisher of its loss over
   * the window and folds it into the refresh damping; then empties the window, so that none of the
   * task's samples stay in the learner.
   */
  public void finishTask(String task) {
    LearningThread.prepare(settings.intraOpThreads());
    requireTaskName(task);
    requireNotErased(task, "be finished");
    requireActive(task);
    if (settings.refresh().enabled() && task.equals(windowTask) && window.size() > 0) {
      absorbFisher(task);
    }
    if (task.equals(windowTask)) {
      window.clear();
      windowTask = null;
    }
    if (task.equals(operationTask)) {
      operationTask = null;
    }
  }

  /**
   * Erases a task without its data (UnCLe): see the class comment for the objective. Erasing an
   * already erased task does nothing and reports 0 steps.
   *
   * @throws IllegalArgumentException if the task was never learned
   */
  public EraseReport eraseTask(String task) {
    LearningThread.prepare(settings.intraOpThreads());
    requireTaskName(task);
    if (erasedTasks.contains(task)) {
      return new EraseReport(task, 0, taskEmbeddings.size(), Double.NaN, 0);
    }
    requireActive(task);
    long start = System.nanoTime();
    List<String> retained = regularisedTasks(task);
    if (task.equals(operationTask)) {
      operationTask = null;
    }
    if (task.equals(windowTask)) {
      window.clear();
      windowTask = null;
    }
    freezeAnchors(retained);
    int steps = nextEraseSteps;
    double loss = Double.NaN;
    try (Adam eraser = new Adam(root, settings.learningRate(), settings.clipNorm())) {
      for (int s = 0; s < steps; s++) {
        loss = eraseStep(retained, task, eraser);
      }
    }
    erasedEmbeddings.put(task, taskEmbeddings.remove(task));
    erasedTasks.add(task);
    samplesPerTask.remove(task);
    stepsPerTask.remove(task);
    nextEraseSteps = decayedEraseSteps(steps);
    // the erased task joins the regularised ones (relapse guard) as the targets are frozen anew
    resumeOperation();
    lastEraseLoss = loss;
    return new EraseReport(
        task, steps, taskEmbeddings.size(), loss, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Forgets some of a learned task's samples (a SAMPLE or SUBJECT erasure) by forgetting the task
   * and learning it again from the samples it keeps. Three parts, one operation:
   *
   * <ol>
   *   <li>the task's generated weights are erased by noise alignment as in {@link #eraseTask} (its
   *       old embedding aligned to noise, the other tasks under the stability term), taking the
   *       current erasure step count without decaying it;
   *   <li>the old embedding is dropped and the task gets a fresh one, so nothing learned from the
   *       erased samples is kept in a task parameter;
   *   <li>the task is learned again from {@code keptX}, {@code keptY} only (its samples without the
   *       erased ones) for {@code forget-steps} steps on batches drawn from them, the other tasks
   *       under the stability term as when they were learned.
   * </ol>
   *
   * The shared hypernetwork was trained with the erased samples and is only changed, not rebuilt:
   * the guarantee is approximate (learners/HYPERNET.md reports the membership-inference audit). If
   * the task is the current one, its window is refilled from the kept samples. If nothing is kept,
   * the task is removed after step 1 without being refused: it may be learned anew.
   *
   * @throws IllegalArgumentException if the task is not active, or for malformed kept samples
   */
  public ForgetReport forgetSamples(String task, float[][] keptX, int[] keptY) {
    LearningThread.prepare(settings.intraOpThreads());
    requireTaskName(task);
    requireNotErased(task, "forget samples of");
    requireActive(task);
    if (keptX.length > 0) {
      Inputs.requireFeatures(OWNER, task, keptX, arch.inputs());
      Inputs.requireLabels(OWNER, task, keptX, keptY, arch.classesPerTask());
    }
    long start = System.nanoTime();
    List<String> others = regularisedTasks(task);
    if (task.equals(operationTask)) {
      // the operation's Adam state belongs to the embedding that is about to go
      operationTask = null;
    }
    freezeAnchors(others);
    int eraseSteps = nextEraseSteps;
    try (Adam eraser = new Adam(root, settings.learningRate(), settings.clipNorm())) {
      for (int s = 0; s < eraseSteps; s++) {
        lastEraseLoss = eraseStep(others, task, eraser);
      }
    }
    taskEmbeddings.get(task).close();
    if (keptX.length == 0) {
      taskEmbeddings.remove(task);
      samplesPerTask.remove(task);
      stepsPerTask.remove(task);
      if (task.equals(windowTask)) {
        window.clear();
        windowTask = null;
      }
      resumeOperation();
      return new ForgetReport(task, eraseSteps, 0, 0, Double.NaN, elapsedSeconds(start));
    }
    // a fresh embedding in the task's place (a LinkedHashMap keeps the task's position)
    taskEmbeddings.put(task, freshEmbedding(keptX));
    SampleWindow kept = new SampleWindow(keptX.length);
    kept.addAll(keptX, keptY);
    int steps = settings.forgetSteps() > 0 ? settings.forgetSteps() : settings.stepsPerTask();
    double loss = Double.NaN;
    try (Adam relearner = new Adam(root, settings.learningRate(), settings.clipNorm())) {
      for (int s = 0; s < steps; s++) {
        loss = trainStep(task, kept.sample(settings.batchSize(), random), relearner);
      }
    }
    resumeOperation();
    samplesPerTask.put(task, (long) keptX.length);
    stepsPerTask.put(task, (long) steps);
    if (task.equals(windowTask)) {
      window.clear();
      int from = Math.max(0, keptX.length - settings.windowSize());
      window.addAll(
          Arrays.copyOfRange(keptX, from, keptX.length),
          Arrays.copyOfRange(keptY, from, keptY.length));
    }
    return new ForgetReport(task, eraseSteps, steps, keptX.length, loss, elapsedSeconds(start));
  }

  /**
   * After an erasure or a relearning inside a learn operation on another task: the operation goes
   * on with its own Adam state (a fresh Adam's first step knocks a half-learned task back, see
   * learners/HYPERNET.md), its targets frozen anew since phi changed.
   */
  private void resumeOperation() {
    releaseAnchors();
    if (operationTask != null) {
      freezeAnchors(regularisedTasks(operationTask));
    }
  }

  private static double elapsedSeconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * Class probabilities of {@code task}'s generated network, one row per sample.
   *
   * @throws TaskErasedException if the task was erased
   * @throws IllegalArgumentException for an unknown task or malformed samples
   */
  public float[][] scores(String task, float[][] x) {
    requireTaskName(task);
    requireNotErased(task, "be scored");
    requireActive(task);
    return scoresWith(taskEmbeddings.get(task), task, x);
  }

  /** The most probable class of each sample (ties go to the lower class); see {@link #scores}. */
  public int[] predict(String task, float[][] x) {
    return Inputs.argMax(scores(task, x));
  }

  /**
   * Predictions of an active task or of a task erased by this learner instance, for audits that
   * check an erased task stays at chance; never used for serving.
   *
   * @throws IllegalArgumentException if the task is unknown here (also: erased before a restore)
   */
  public int[] auditPredict(String task, float[][] x) {
    NDArray embedding = taskEmbeddings.getOrDefault(task, erasedEmbeddings.get(task));
    if (embedding == null) {
      throw new IllegalArgumentException(
          "no embedding of task '" + task + "' to audit in this learner instance");
    }
    return Inputs.argMax(scoresWith(embedding, task, x));
  }

  /**
   * Encodes the learner as a snapshot that {@link HypernetScorer} reads: learner HYPERNETWORK, the
   * hypernetwork, chunk and active-task tensors, the architecture and task ids as ordered scoring
   * settings (layout in learners/HYPERNET.md), lineage from the header and the learner. The
   * checksum is left empty; the shared snapshot checksum fills it when the snapshot is published.
   *
   * @throws DivergedModelException if any weight is NaN/Inf or the last loss diverged
   */
  public ModelSnapshot toSnapshot(SnapshotHeader header) {
    float[] chunks = finiteValues(header, HypernetForward.CHUNK_EMBEDDINGS, chunkEmbeddings);
    float[] flat = phi.toFloatArray();
    Map<String, float[]> phiValues = new LinkedHashMap<>();
    for (ParameterShape p : layout) {
      float[] part = Arrays.copyOfRange(flat, p.offset(), p.offset() + p.size());
      phiValues.put(p.name(), requireFinite(header, p.name(), part));
    }
    Map<String, float[]> embeddings = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : taskEmbeddings.entrySet()) {
      embeddings.put(
          e.getKey(), finiteValues(header, "embedding of task '" + e.getKey() + "'", e.getValue()));
    }
    requireLossConverged(header);
    return HypernetSnapshots.write(
        header, arch, phiValues, chunks, embeddings, samplesPerTask, new ArrayList<>(erasedTasks));
  }

  /** Native arrays this learner holds now (for leak checks in tests). */
  int liveArrayCount() {
    return root.getManagedArrays().size();
  }

  @Override
  public void close() {
    releaseAnchors();
    if (optimizer != null) {
      optimizer.close();
    }
    refresh.close();
    root.close();
  }

  // ---- operations -------------------------------------------------------------------------

  /** Starts an operation on {@code task}; a new task gets an embedding live on {@code probe}. */
  private void beginLearning(String task, float[][] probe) {
    if (!taskEmbeddings.containsKey(task)) {
      taskEmbeddings.put(task, freshEmbedding(probe));
      samplesPerTask.putIfAbsent(task, 0L);
    }
    if (!task.equals(windowTask)) {
      window.clear();
      windowTask = task;
    }
    freezeAnchors(regularisedTasks(task));
    replaceOptimizer();
    operationTask = task;
  }

  private double trainStep(String task, Batch batch, Adam adam) {
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      NDArray phiLeaf = leaf(phi);
      NDArray taskLeaf = leaf(taskEmbeddings.get(task));
      NDArray x = step.create(batch.features());
      List<String> others = anchors == null ? List.of() : anchors.tasks();
      float loss;
      try (GradientCollector collector = root.getEngine().newGradientCollector()) {
        NDList rows = new NDList(taskLeaf);
        others.forEach(o -> rows.add(embedding(o)));
        NDArray generated =
            HypernetForward.generate(
                arch, HypernetForward.views(arch, phiLeaf), chunkEmbeddings, NDArrays.stack(rows));
        NDArray logits =
            HypernetForward.targetLogits(x, HypernetForward.targetLayers(arch, generated.get(0)));
        NDArray total = HypernetForward.crossEntropy(logits, batch.labels());
        if (!others.isEmpty() && settings.beta() > 0) {
          NDArray drift = generated.get(new NDIndex("1:")).sub(anchors.targets()).square().sum();
          total = total.add(drift.mul((float) (settings.beta() / others.size())));
        }
        collector.backward(total);
        loss = total.getFloat();
      }
      adam.step(
          Map.of(PHI, phi, TASK_EMBEDDING, taskEmbeddings.get(task)),
          Map.of(PHI, phiLeaf.getGradient(), TASK_EMBEDDING, taskLeaf.getGradient()),
          step);
      lastLearnLoss = (double) loss;
      return loss;
    }
  }

  /** Refresh learning's unlearn step on the batch's cross-entropy (Wang et al. 2024). */
  private void refreshStep(String task, Batch batch) {
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      NDArray phiLeaf = leaf(phi);
      NDArray taskLeaf = leaf(taskEmbeddings.get(task));
      NDArray x = step.create(batch.features());
      try (GradientCollector collector = root.getEngine().newGradientCollector()) {
        NDArray generated =
            HypernetForward.generate(
                arch,
                HypernetForward.views(arch, phiLeaf),
                chunkEmbeddings,
                taskLeaf.expandDims(0));
        NDArray logits =
            HypernetForward.targetLogits(x, HypernetForward.targetLayers(arch, generated.get(0)));
        collector.backward(HypernetForward.crossEntropy(logits, batch.labels()));
      }
      NDArray embedding = taskEmbeddings.get(task);
      Map<String, NDArray> gradients =
          new LinkedHashMap<>(HypernetForward.views(arch, phiLeaf.getGradient()));
      gradients.put(TASK_EMBEDDING, taskLeaf.getGradient());
      Map<String, NDArray> current = new LinkedHashMap<>(HypernetForward.views(arch, phi));
      current.put(TASK_EMBEDDING, embedding);
      Map<String, NDArray> changes = refresh.unlearnChanges(current, gradients, step);
      NDList flatChanges = new NDList();
      for (ParameterShape p : layout) {
        NDArray change = changes.get(p.name());
        flatChanges.add(change == null ? step.zeros(new Shape(p.size())) : change.flatten());
      }
      phi.addi(NDArrays.concat(flatChanges));
      NDArray embeddingChange = changes.get(TASK_EMBEDDING);
      if (embeddingChange != null) {
        embedding.addi(embeddingChange);
      }
    }
  }

  /**
   * N(0, I) draws for an erasure step, reproducible from the learner's seed: the engine's generator
   * is seeded from this learner's own sequence right before the draw, so an erasure does not depend
   * on what else in the process drew from it before.
   */
  private NDArray noise(NDManager manager, Shape shape) {
    synchronized (ENGINE_GENERATOR) {
      JniUtils.setSeed(noiseSeeds.nextLong());
      return manager.randomNormal(shape);
    }
  }

  private double eraseStep(List<String> retained, String erased, Adam eraser) {
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      NDArray phiLeaf = leaf(phi);
      float loss;
      try (GradientCollector collector = root.getEngine().newGradientCollector()) {
        NDList rows = new NDList();
        retained.forEach(r -> rows.add(embedding(r)));
        rows.add(taskEmbeddings.get(erased));
        NDArray generated =
            HypernetForward.generate(
                arch, HypernetForward.views(arch, phiLeaf), chunkEmbeddings, NDArrays.stack(rows));
        NDArray forgotten = generated.get(retained.size());
        NDArray noise = noise(step, new Shape(settings.noiseDraws(), arch.targetParameterCount()));
        NDArray total =
            noise
                .sub(forgotten)
                .square()
                .sum()
                .mul((float) (settings.gamma() / settings.noiseDraws()));
        if (!retained.isEmpty() && settings.beta() > 0) {
          NDArray drift =
              generated
                  .get(new NDIndex("0:{}", retained.size()))
                  .sub(anchors.targets())
                  .square()
                  .sum();
          total = total.add(drift.mul((float) (settings.beta() / retained.size())));
        }
        collector.backward(total);
        loss = total.getFloat();
      }
      eraser.step(Map.of(PHI, phi), Map.of(PHI, phiLeaf.getGradient()), step);
      return loss;
    }
  }

  /** Diagonal Fisher of the task's loss over the window, from squared mini-batch gradients. */
  private void absorbFisher(String task) {
    try (NDManager sums = root.newSubManager()) {
      NDArray fisher = sums.zeros(phi.getShape());
      List<Batch> batches = window.batches(settings.refresh().fisherBatchSize());
      for (Batch batch : batches) {
        try (NDManager step = root.newSubManager()) {
          borrowAll(step);
          NDArray phiLeaf = leaf(phi);
          NDArray x = step.create(batch.features());
          try (GradientCollector collector = root.getEngine().newGradientCollector()) {
            NDArray generated =
                HypernetForward.generate(
                    arch,
                    HypernetForward.views(arch, phiLeaf),
                    chunkEmbeddings,
                    taskEmbeddings.get(task).expandDims(0));
            NDArray logits =
                HypernetForward.targetLogits(
                    x, HypernetForward.targetLayers(arch, generated.get(0)));
            collector.backward(HypernetForward.crossEntropy(logits, batch.labels()));
          }
          fisher.addi(phiLeaf.getGradient().square().muli(batch.labels().length));
        }
      }
      fisher.divi(batches.size());
      refresh.absorbFisher(HypernetForward.views(arch, fisher));
    }
  }

  private float[][] scoresWith(NDArray embedding, String task, float[][] x) {
    LearningThread.prepare(settings.intraOpThreads());
    Inputs.requireFeatures(OWNER, task, x, arch.inputs());
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      NDArray generated =
          HypernetForward.generate(
              arch, HypernetForward.views(arch, phi), chunkEmbeddings, embedding.expandDims(0));
      NDArray logits =
          HypernetForward.targetLogits(
              step.create(x), HypernetForward.targetLayers(arch, generated.get(0)));
      return Inputs.rows(logits.softmax(1).toFloatArray(), x.length);
    }
  }

  // ---- state helpers ------------------------------------------------------------------------

  /** Stores H(e_j; phi) of the given tasks as the stability targets of the next operation. */
  private void freezeAnchors(List<String> tasks) {
    releaseAnchors();
    if (tasks.isEmpty()) {
      return;
    }
    NDManager targets = root.newSubManager();
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      NDList rows = new NDList();
      tasks.forEach(t -> rows.add(embedding(t)));
      NDArray generated =
          HypernetForward.generate(
              arch, HypernetForward.views(arch, phi), chunkEmbeddings, NDArrays.stack(rows));
      generated.attach(targets);
      anchors = new Anchors(List.copyOf(tasks), generated, targets);
    }
  }

  private void releaseAnchors() {
    if (anchors != null) {
      anchors.manager().close();
      anchors = null;
    }
  }

  private void replaceOptimizer() {
    if (optimizer != null) {
      optimizer.close();
    }
    optimizer = new Adam(root, settings.learningRate(), settings.clipNorm());
  }

  /**
   * Temporarily moves every persistent array into the step's manager, so that results of operations
   * on them are freed with the step (DJL attaches a result to its first operand's manager); they
   * return to their owners when the step closes.
   */
  private void borrowAll(NDManager step) {
    phi.tempAttach(step);
    chunkEmbeddings.tempAttach(step);
    taskEmbeddings.values().forEach(a -> a.tempAttach(step));
    erasedEmbeddings.values().forEach(a -> a.tempAttach(step));
    if (anchors != null) {
      anchors.targets().tempAttach(step);
    }
  }

  /**
   * A trainable copy of a borrowed array, in the step manager, recording gradients. Everything
   * derived from it (also the slices of {@link HypernetForward#views}) must be computed inside the
   * gradient collector: outside it grad mode is off and the link to the leaf would be lost.
   */
  private static NDArray leaf(NDArray borrowed) {
    NDArray copy = borrowed.duplicate();
    copy.setRequiresGradient(true);
    return copy;
  }

  /**
   * The tasks under the stability term while {@code task} is learned or erased: the other active
   * tasks and, with {@code erase.relapseGuard}, the tasks this instance erased earlier (kept at
   * their erased outputs so that later learning cannot regenerate them).
   */
  private List<String> regularisedTasks(String task) {
    List<String> tasks = otherActiveTasks(task);
    if (settings.relapseGuard()) {
      tasks.addAll(erasedEmbeddings.keySet());
    }
    return tasks;
  }

  private NDArray embedding(String task) {
    NDArray active = taskEmbeddings.get(task);
    return active != null ? active : erasedEmbeddings.get(task);
  }

  private List<String> otherActiveTasks(String task) {
    List<String> others = new ArrayList<>(taskEmbeddings.keySet());
    others.remove(task);
    return others;
  }

  private int decayedEraseSteps(int steps) {
    return Math.max(1, (int) Math.round(steps * settings.eraseStepDecay()));
  }

  /**
   * A new task embedding, N(0, I), that generates a live target network. Noise-alignment erasure
   * pulls the generated weights of the erased embedding toward zero (the mean of its noise
   * targets), and the shared hypernetwork carries part of that to other embeddings: a fresh draw
   * can then generate a network whose output hardly depends on its input, whose gradients vanish,
   * and whose task stays at chance however long it trains (seen in the demo and in the subject
   * erasure audit). So the first draw, as before, is checked against {@value #EMBEDDING_CANDIDATES}
   * - 1 others by {@link #liveness} on up to {@value #PROBE_ROWS} of the task's samples, and kept
   * unless it is less than {@value #DEAD_LIVENESS} times as live as the best of them: collapsed. (A
   * mere difference in liveness says little about how well a task will learn.)
   */
  private NDArray freshEmbedding(float[][] probe) {
    NDArray first = gaussian(HypernetSnapshots.embeddingShape(arch), 1.0);
    if (probe == null || probe.length < 2) {
      return first;
    }
    float[][] rows = probe.length > PROBE_ROWS ? Arrays.copyOf(probe, PROBE_ROWS) : probe;
    double firstLiveness = liveness(first, rows);
    NDArray best = null;
    double bestLiveness = -1;
    for (int c = 1; c < EMBEDDING_CANDIDATES; c++) {
      NDArray candidate = gaussian(candidateSeeds, HypernetSnapshots.embeddingShape(arch));
      double candidateLiveness = liveness(candidate, rows);
      if (candidateLiveness > bestLiveness) {
        if (best != null) {
          best.close();
        }
        best = candidate;
        bestLiveness = candidateLiveness;
      } else {
        candidate.close();
      }
    }
    if (best == null || !(firstLiveness < DEAD_LIVENESS * bestLiveness)) {
      if (best != null) {
        best.close();
      }
      return first;
    }
    first.close();
    return best;
  }

  /**
   * How much the target network that {@code embedding} generates responds to its input: the mean
   * over classes of the standard deviation of its logits across {@code rows}. Near 0 for a network
   * whose weights have collapsed.
   */
  double liveness(NDArray embedding, float[][] rows) {
    try (NDManager step = root.newSubManager()) {
      borrowAll(step);
      embedding.tempAttach(step);
      NDArray generated =
          HypernetForward.generate(
              arch, HypernetForward.views(arch, phi), chunkEmbeddings, embedding.expandDims(0));
      NDArray logits =
          HypernetForward.targetLogits(
              step.create(rows), HypernetForward.targetLayers(arch, generated.get(0)));
      NDArray centred = logits.sub(logits.mean(new int[] {0}));
      return centred.square().mean(new int[] {0}).sqrt().mean().getFloat();
    }
  }

  private NDArray gaussian(Random source, Shape shape) {
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) source.nextGaussian();
    }
    return root.create(values, shape);
  }

  private NDArray gaussian(Shape shape, double std) {
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return root.create(values, shape);
  }

  private static void requireTaskName(String task) {
    if (task == null || task.isBlank()) {
      throw new IllegalArgumentException("task id must be a non-blank string, got '" + task + "'");
    }
  }

  private void requireNotErased(String task, String operation) {
    if (erasedTasks.contains(task)) {
      throw new TaskErasedException(task, operation);
    }
  }

  private void requireActive(String task) {
    if (!taskEmbeddings.containsKey(task)) {
      throw new IllegalArgumentException(
          "unknown task '" + task + "'; active tasks: " + activeTasks());
    }
  }

  private float[] finiteValues(SnapshotHeader header, String what, NDArray array) {
    return requireFinite(header, what, array.toFloatArray());
  }

  private float[] requireFinite(SnapshotHeader header, String what, float[] values) {
    int bad = TensorCodec.firstNonFinite(values);
    if (bad >= 0) {
      throw new DivergedModelException(
          "refusing to snapshot model "
              + header.model()
              + " v"
              + header.version()
              + ": "
              + what
              + " has the value "
              + values[bad]
              + " (NaN/Inf) at flat index "
              + bad
              + "; the learner diverged: lower "
              + HypernetSettings.LEARNING_RATE.key()
              + " (now "
              + settings.learningRate()
              + ") or check the inputs' scale");
    }
    return values;
  }

  private void requireLossConverged(SnapshotHeader header) {
    if (lastLearnLoss != null
        && (!Double.isFinite(lastLearnLoss) || lastLearnLoss > settings.divergenceLoss())) {
      throw new DivergedModelException(
          "refusing to snapshot model "
              + header.model()
              + " v"
              + header.version()
              + ": the last training loss "
              + lastLearnLoss
              + " exceeds "
              + HypernetSettings.DIVERGENCE_LOSS.key()
              + " = "
              + settings.divergenceLoss()
              + "; lower "
              + HypernetSettings.LEARNING_RATE.key()
              + " (now "
              + settings.learningRate()
              + ") or check the inputs' scale");
    }
    if (lastEraseLoss != null && !Double.isFinite(lastEraseLoss)) {
      throw new DivergedModelException(
          "refusing to snapshot model "
              + header.model()
              + " v"
              + header.version()
              + ": the last erasure loss is "
              + lastEraseLoss);
    }
  }
}
