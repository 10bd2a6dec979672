package io.lethe.learners.hypernet;

import ai.djl.Device;
import io.lethe.learners.refresh.RefreshSettings;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validated settings of the hypernetwork learner (UnCLe, Adhikari et al. 2025; von Oswald et al.
 * 2020), each declared once in {@link #SETTINGS}; each error names the setting's key, the value and
 * what is allowed.
 *
 * @param inputs features per sample
 * @param classesPerTask classes of every task, labels 0..classesPerTask-1 within the task
 * @param targetHidden hidden layer sizes of the generated target MLP (may be empty: linear)
 * @param taskEmbeddingDim size of the learned task embedding e_t
 * @param chunkEmbeddingDim size of the fixed, seeded chunk embeddings c_k
 * @param chunkSize target weights produced per hypernetwork call (one chunk)
 * @param trunkHidden hidden layer sizes of the hypernetwork's MLP trunk
 * @param beta strength of the stability term (output regulariser), von Oswald Eq. 2
 * @param gamma strength of the noise-alignment term used for erasure (UnCLe)
 * @param noiseDraws fresh N(0, I) draws S per erasure step
 * @param firstEraseSteps erasure steps of the first erasure; later ones take eraseStepDecay times
 *     the previous count
 * @param eraseStepDecay factor applied to the step count after each erasure
 * @param relapseGuard keep erased tasks' generated weights at their erased values under the
 *     stability term during later operations (a deviation from UnCLe, where an erased task leaves
 *     every regulariser; see learners/HYPERNET.md for the relapse it prevents)
 * @param learningRate Adam's learning rate
 * @param clipNorm global gradient-norm clipping threshold
 * @param windowSize bounded window of the current task's most recent samples
 * @param batchSize samples drawn from the window per step
 * @param stepsPerBatch steps taken per learned micro-batch
 * @param stepsPerTask steps a task gets at least: while it is the current task, the job adds steps
 *     on its window in idle time until the task has had this many (0: none added)
 * @param idleCpuShare at most this share of the learner thread's time goes to those added steps
 *     while samples come (while none come they may take it all)
 * @param forgetSteps steps that learn a task again from its kept samples after some of its samples
 *     are erased (0: {@code stepsPerTask})
 * @param divergenceLoss a last loss above this counts as diverged and blocks snapshots
 * @param seed seed of the initial weights, chunk and task embeddings, window draws and erasure
 *     noise
 * @param device DJL device name, e.g. {@code cpu} or {@code gpu(0)}
 * @param intraOpThreads PyTorch threads per operation in a learning thread; 1 by default because a
 *     parallel job runs one learner per core, and on a busy machine more threads per small
 *     operation only oversubscribe the cores (measured in learners/HYPERNET.md)
 * @param refresh refresh-learning plug-in settings
 */
public record HypernetSettings(
    int inputs,
    int classesPerTask,
    List<Integer> targetHidden,
    int taskEmbeddingDim,
    int chunkEmbeddingDim,
    int chunkSize,
    List<Integer> trunkHidden,
    double beta,
    double gamma,
    int noiseDraws,
    int firstEraseSteps,
    double eraseStepDecay,
    boolean relapseGuard,
    double learningRate,
    double clipNorm,
    int windowSize,
    int batchSize,
    int stepsPerBatch,
    int stepsPerTask,
    double idleCpuShare,
    int forgetSteps,
    double divergenceLoss,
    long seed,
    String device,
    int intraOpThreads,
    RefreshSettings refresh) {

  /** Features per sample; in the catalog, the dataset's {@code features}. */
  public static final SettingDef<Integer> INPUTS =
      SettingDef.integer("inputs", null, Bounds.atLeast(1), "features per sample")
          .withDefaultText("the dataset's features");

  /** Classes per task. */
  public static final SettingDef<Integer> CLASSES_PER_TASK =
      SettingDef.integer(
          "classes-per-task",
          2,
          Bounds.atLeast(2),
          "classes of every task; a task's labels map to 0..classes-per-task-1 in order of arrival");

  /** Hidden layers of the target MLP. */
  public static final SettingDef<List<Integer>> TARGET_HIDDEN =
      SettingDef.intList(
          "target-hidden",
          List.of(100, 100),
          1,
          false,
          "hidden layer sizes of the generated target MLP (empty: a linear model)");

  /** Task embedding size. */
  public static final SettingDef<Integer> TASK_EMBEDDING_DIM =
      SettingDef.integer(
          "task-embedding-dim", 32, Bounds.atLeast(1), "size of the learned task embedding e_t");

  /** Chunk embedding size. */
  public static final SettingDef<Integer> CHUNK_EMBEDDING_DIM =
      SettingDef.integer(
          "chunk-embedding-dim",
          32,
          Bounds.atLeast(1),
          "size of the fixed, seeded chunk embeddings c_k");

  /** Target weights per hypernetwork call. */
  public static final SettingDef<Integer> CHUNK_SIZE =
      SettingDef.integer(
          "chunk-size", 2048, Bounds.atLeast(1), "target weights generated per hypernetwork call");

  /** Hidden layers of the hypernetwork trunk. */
  public static final SettingDef<List<Integer>> TRUNK_HIDDEN =
      SettingDef.intList(
          "trunk-hidden",
          List.of(64, 128),
          1,
          true,
          "hidden layer sizes of the hypernetwork trunk");

  /** Stability strength beta. */
  public static final SettingDef<Double> BETA =
      SettingDef.number(
          "beta",
          0.1,
          Bounds.atLeast(0),
          "strength of the stability term (output regulariser, von Oswald et al. Eq. 2)");

  /** Noise-alignment strength gamma. */
  public static final SettingDef<Double> GAMMA =
      SettingDef.number(
          "gamma", 0.1, Bounds.above(0), "strength of the noise-alignment term of erasure (UnCLe)");

  /** Noise draws per erasure step. */
  public static final SettingDef<Integer> NOISE_DRAWS =
      SettingDef.integer(
          "noise-draws", 10, Bounds.atLeast(1), "fresh N(0, I) draws S per erasure step");

  /** Steps of the first erasure. */
  public static final SettingDef<Integer> FIRST_ERASE_STEPS =
      SettingDef.integer(
          "first-erase-steps",
          100,
          Bounds.atLeast(1),
          "steps of the first erasure; each later one takes erase-step-decay times as many");

  /** Decay of the erasure step count. */
  public static final SettingDef<Double> ERASE_STEP_DECAY =
      SettingDef.number(
          "erase-step-decay",
          0.9,
          Bounds.openClosed(0, 1),
          "factor applied to the erasure step count after each erasure");

  /** Relapse guard on erased tasks. */
  public static final SettingDef<Boolean> RELAPSE_GUARD =
      SettingDef.flag(
          "relapse-guard",
          true,
          "hold erased tasks' generated weights under the stability term (not in UnCLe; see"
              + " learners/HYPERNET.md)");

  /** Adam's learning rate. */
  public static final SettingDef<Double> LEARNING_RATE =
      SettingDef.number("learning-rate", 1e-3, Bounds.above(0), "Adam's learning rate");

  /** Gradient-norm clipping threshold. */
  public static final SettingDef<Double> CLIP_NORM =
      SettingDef.number(
          "clip-norm", 1.0, Bounds.above(0), "global gradient-norm clipping threshold");

  /** Window of recent samples. */
  public static final SettingDef<Integer> WINDOW_SIZE =
      SettingDef.integer(
          "window-size",
          512,
          Bounds.atLeast(1),
          "bounded window of the current task's recent samples");

  /** Samples per step. */
  public static final SettingDef<Integer> BATCH_SIZE =
      SettingDef.integer(
          "batch-size", 64, Bounds.atLeast(1), "samples drawn from the window per step");

  /** Steps per micro-batch. */
  public static final SettingDef<Integer> STEPS_PER_BATCH =
      SettingDef.integer(
          "steps-per-batch", 4, Bounds.atLeast(1), "gradient steps taken per learned micro-batch");

  /**
   * Step budget per task. The default is the steps the offline evaluation takes on a full Split
   * Fashion-MNIST task (12,000 samples in micro-batches of 64, 4 steps each), which reaches about
   * 0.99 per task (docs/results/eval-hypernet-seed*.json).
   */
  public static final SettingDef<Integer> STEPS_PER_TASK =
      SettingDef.integer(
          "steps-per-task",
          750,
          Bounds.atLeast(0),
          "steps a task gets at least: idle time adds steps on its window up to this (0: none)");

  /** CPU share of the added steps. */
  public static final SettingDef<Double> IDLE_CPU_SHARE =
      SettingDef.number(
          "idle-cpu-share",
          0.5,
          Bounds.openClosed(0, 1),
          "largest share of the learner thread's time that steps added up to steps-per-task take"
              + " while samples come (they take only time the thread and the machine left"
              + " spare)");

  /** Relearning steps of a sample or subject erasure. */
  public static final SettingDef<Integer> FORGET_STEPS =
      SettingDef.integer(
          "forget-steps",
          250,
          Bounds.atLeast(0),
          "steps that learn a task again from its kept samples after a sample or subject erasure"
              + " (0: steps-per-task)");

  /** Divergence guard. */
  public static final SettingDef<Double> DIVERGENCE_LOSS =
      SettingDef.number(
          "divergence-loss",
          1e3,
          Bounds.above(0),
          "a last loss above this counts as diverged and blocks snapshots");

  /** Seed of everything random. */
  public static final SettingDef<Long> SEED =
      SettingDef.longInteger(
          "seed",
          0L,
          "seed of the initial weights, chunk and task embeddings, window draws and erasure noise");

  /** DJL device; in the catalog, the model's {@code device}. */
  public static final SettingDef<String> DEVICE =
      SettingDef.text(
              "device",
              "cpu",
              Pattern.compile("cpu|cpu\\(\\d+\\)|gpu|gpu\\(\\d+\\)"),
              "a DJL device name: cpu, cpu(N), gpu or gpu(N)",
              "DJL device to learn on")
          .withDefaultText("the model's device");

  /** PyTorch threads per operation. */
  public static final SettingDef<Integer> INTRA_OP_THREADS =
      SettingDef.integer(
          "intra-op-threads",
          1,
          Bounds.atLeast(1),
          "PyTorch threads per operation of a learning thread (more was slower: learners/HYPERNET.md)");

  /** Refresh learning on or off; the refresh strengths are {@link RefreshSettings#SETTINGS}. */
  public static final SettingDef<Boolean> REFRESH = RefreshSettings.ENABLED;

  /** Every setting, in record order, {@link #refresh()} flattened into its own settings. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          INPUTS,
          CLASSES_PER_TASK,
          TARGET_HIDDEN,
          TASK_EMBEDDING_DIM,
          CHUNK_EMBEDDING_DIM,
          CHUNK_SIZE,
          TRUNK_HIDDEN,
          BETA,
          GAMMA,
          NOISE_DRAWS,
          FIRST_ERASE_STEPS,
          ERASE_STEP_DECAY,
          RELAPSE_GUARD,
          LEARNING_RATE,
          CLIP_NORM,
          WINDOW_SIZE,
          BATCH_SIZE,
          STEPS_PER_BATCH,
          STEPS_PER_TASK,
          IDLE_CPU_SHARE,
          FORGET_STEPS,
          DIVERGENCE_LOSS,
          SEED,
          DEVICE,
          INTRA_OP_THREADS,
          REFRESH,
          RefreshSettings.INTERVAL,
          RefreshSettings.UNLEARN_RATE,
          RefreshSettings.NOISE_SCALE,
          RefreshSettings.FISHER_DAMPING,
          RefreshSettings.FISHER_DECAY,
          RefreshSettings.FISHER_BATCH_SIZE);

  /**
   * The settings a catalog model may set: all but {@link #INPUTS} (its dataset's features) and
   * {@link #DEVICE} (the model's own {@code device} key).
   */
  public static final List<SettingDef<?>> CATALOG_SETTINGS =
      SETTINGS.stream().filter(s -> s != INPUTS && s != DEVICE).toList();

  /** Prefix of the keys in errors of settings built in code (the catalog names its own path). */
  private static final String WHERE = "hypernetwork.";

  /** Validates every setting against its declaration and copies the lists. */
  public HypernetSettings {
    INPUTS.validate(WHERE, inputs);
    CLASSES_PER_TASK.validate(WHERE, classesPerTask);
    targetHidden = TARGET_HIDDEN.validate(WHERE, targetHidden == null ? null : copy(targetHidden));
    TASK_EMBEDDING_DIM.validate(WHERE, taskEmbeddingDim);
    CHUNK_EMBEDDING_DIM.validate(WHERE, chunkEmbeddingDim);
    CHUNK_SIZE.validate(WHERE, chunkSize);
    trunkHidden = TRUNK_HIDDEN.validate(WHERE, trunkHidden == null ? null : copy(trunkHidden));
    BETA.validate(WHERE, beta);
    GAMMA.validate(WHERE, gamma);
    NOISE_DRAWS.validate(WHERE, noiseDraws);
    FIRST_ERASE_STEPS.validate(WHERE, firstEraseSteps);
    ERASE_STEP_DECAY.validate(WHERE, eraseStepDecay);
    LEARNING_RATE.validate(WHERE, learningRate);
    CLIP_NORM.validate(WHERE, clipNorm);
    WINDOW_SIZE.validate(WHERE, windowSize);
    BATCH_SIZE.validate(WHERE, batchSize);
    STEPS_PER_BATCH.validate(WHERE, stepsPerBatch);
    STEPS_PER_TASK.validate(WHERE, stepsPerTask);
    IDLE_CPU_SHARE.validate(WHERE, idleCpuShare);
    FORGET_STEPS.validate(WHERE, forgetSteps);
    DIVERGENCE_LOSS.validate(WHERE, divergenceLoss);
    DEVICE.validate(WHERE, device);
    INTRA_OP_THREADS.validate(WHERE, intraOpThreads);
    if (refresh == null) {
      throw new IllegalArgumentException(
          WHERE + "refresh is missing, expected refresh settings (RefreshSettings.defaults())");
    }
  }

  /**
   * Settings from declared values (the refresh settings included); a setting not given takes its
   * declared default.
   *
   * @throws IllegalArgumentException if {@link #INPUTS} is missing or a value is not allowed
   */
  public static HypernetSettings from(SettingValues values) {
    return new HypernetSettings(
        values.get(INPUTS),
        values.get(CLASSES_PER_TASK),
        values.get(TARGET_HIDDEN),
        values.get(TASK_EMBEDDING_DIM),
        values.get(CHUNK_EMBEDDING_DIM),
        values.get(CHUNK_SIZE),
        values.get(TRUNK_HIDDEN),
        values.get(BETA),
        values.get(GAMMA),
        values.get(NOISE_DRAWS),
        values.get(FIRST_ERASE_STEPS),
        values.get(ERASE_STEP_DECAY),
        values.get(RELAPSE_GUARD),
        values.get(LEARNING_RATE),
        values.get(CLIP_NORM),
        values.get(WINDOW_SIZE),
        values.get(BATCH_SIZE),
        values.get(STEPS_PER_BATCH),
        values.get(STEPS_PER_TASK),
        values.get(IDLE_CPU_SHARE),
        values.get(FORGET_STEPS),
        values.get(DIVERGENCE_LOSS),
        values.get(SEED),
        values.get(DEVICE),
        values.get(INTRA_OP_THREADS),
        RefreshSettings.from(values));
  }

  /** Every setting under its declared key (for reports), the refresh settings included. */
  public SettingValues values() {
    SettingValues values = SettingValues.create();
    values
        .put(INPUTS, inputs)
        .put(CLASSES_PER_TASK, classesPerTask)
        .put(TARGET_HIDDEN, targetHidden)
        .put(TASK_EMBEDDING_DIM, taskEmbeddingDim)
        .put(CHUNK_EMBEDDING_DIM, chunkEmbeddingDim)
        .put(CHUNK_SIZE, chunkSize)
        .put(TRUNK_HIDDEN, trunkHidden)
        .put(BETA, beta)
        .put(GAMMA, gamma)
        .put(NOISE_DRAWS, noiseDraws)
        .put(FIRST_ERASE_STEPS, firstEraseSteps)
        .put(ERASE_STEP_DECAY, eraseStepDecay)
        .put(RELAPSE_GUARD, relapseGuard)
        .put(LEARNING_RATE, learningRate)
        .put(CLIP_NORM, clipNorm)
        .put(WINDOW_SIZE, windowSize)
        .put(BATCH_SIZE, batchSize)
        .put(STEPS_PER_BATCH, stepsPerBatch)
        .put(STEPS_PER_TASK, stepsPerTask)
        .put(IDLE_CPU_SHARE, idleCpuShare)
        .put(FORGET_STEPS, forgetSteps)
        .put(DIVERGENCE_LOSS, divergenceLoss)
        .put(SEED, seed)
        .put(DEVICE, device)
        .put(INTRA_OP_THREADS, intraOpThreads);
    return refresh.addTo(values);
  }

  private static List<Integer> copy(List<Integer> values) {
    // List.copyOf rejects null elements with a bare NullPointerException; the check names the key
    return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
  }

  /** Starts settings for samples of {@code inputs} features and tasks of two classes each. */
  public static Builder builder(int inputs) {
    return new Builder(inputs);
  }

  /** The architecture these settings describe (what scoring needs). */
  public HypernetArchitecture architecture() {
    return new HypernetArchitecture(
        inputs,
        targetHidden,
        classesPerTask,
        taskEmbeddingDim,
        chunkEmbeddingDim,
        chunkSize,
        trunkHidden);
  }

  /** The DJL device parsed from {@link #device()}. */
  public Device djlDevice() {
    return Device.fromName(device);
  }

  /**
   * Builds {@link HypernetSettings}: {@code inputs} is required, every {@code optX} has its
   * declared default; {@link #build()} validates.
   */
  public static final class Builder {
    private final int inputs;
    private int classesPerTask = CLASSES_PER_TASK.defaultValue().orElseThrow();
    private List<Integer> targetHidden = TARGET_HIDDEN.defaultValue().orElseThrow();
    private int taskEmbeddingDim = TASK_EMBEDDING_DIM.defaultValue().orElseThrow();
    private int chunkEmbeddingDim = CHUNK_EMBEDDING_DIM.defaultValue().orElseThrow();
    private int chunkSize = CHUNK_SIZE.defaultValue().orElseThrow();
    private List<Integer> trunkHidden = TRUNK_HIDDEN.defaultValue().orElseThrow();
    private double beta = BETA.defaultValue().orElseThrow();
    private double gamma = GAMMA.defaultValue().orElseThrow();
    private int noiseDraws = NOISE_DRAWS.defaultValue().orElseThrow();
    private int firstEraseSteps = FIRST_ERASE_STEPS.defaultValue().orElseThrow();
    private double eraseStepDecay = ERASE_STEP_DECAY.defaultValue().orElseThrow();
    private boolean relapseGuard = RELAPSE_GUARD.defaultValue().orElseThrow();
    private double learningRate = LEARNING_RATE.defaultValue().orElseThrow();
    private double clipNorm = CLIP_NORM.defaultValue().orElseThrow();
    private int windowSize = WINDOW_SIZE.defaultValue().orElseThrow();
    private int batchSize = BATCH_SIZE.defaultValue().orElseThrow();
    private int stepsPerBatch = STEPS_PER_BATCH.defaultValue().orElseThrow();
    private int stepsPerTask = STEPS_PER_TASK.defaultValue().orElseThrow();
    private double idleCpuShare = IDLE_CPU_SHARE.defaultValue().orElseThrow();
    private int forgetSteps = FORGET_STEPS.defaultValue().orElseThrow();
    private double divergenceLoss = DIVERGENCE_LOSS.defaultValue().orElseThrow();
    private long seed = SEED.defaultValue().orElseThrow();
    private String device = DEVICE.defaultValue().orElseThrow();
    private int intraOpThreads = INTRA_OP_THREADS.defaultValue().orElseThrow();
    private RefreshSettings refresh = RefreshSettings.defaults();

    private Builder(int inputs) {
      this.inputs = inputs;
    }

    public Builder optClassesPerTask(int value) {
      classesPerTask = value;
      return this;
    }

    public Builder optTargetHidden(List<Integer> value) {
      targetHidden = value;
      return this;
    }

    public Builder optTaskEmbeddingDim(int value) {
      taskEmbeddingDim = value;
      return this;
    }

    public Builder optChunkEmbeddingDim(int value) {
      chunkEmbeddingDim = value;
      return this;
    }

    public Builder optChunkSize(int value) {
      chunkSize = value;
      return this;
    }

    public Builder optTrunkHidden(List<Integer> value) {
      trunkHidden = value;
      return this;
    }

    public Builder optBeta(double value) {
      beta = value;
      return this;
    }

    public Builder optGamma(double value) {
      gamma = value;
      return this;
    }

    public Builder optNoiseDraws(int value) {
      noiseDraws = value;
      return this;
    }

    public Builder optFirstEraseSteps(int value) {
      firstEraseSteps = value;
      return this;
    }

    public Builder optEraseStepDecay(double value) {
      eraseStepDecay = value;
      return this;
    }

    public Builder optRelapseGuard(boolean value) {
      relapseGuard = value;
      return this;
    }

    public Builder optLearningRate(double value) {
      learningRate = value;
      return this;
    }

    public Builder optClipNorm(double value) {
      clipNorm = value;
      return this;
    }

    public Builder optWindowSize(int value) {
      windowSize = value;
      return this;
    }

    public Builder optBatchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder optStepsPerBatch(int value) {
      stepsPerBatch = value;
      return this;
    }

    public Builder optStepsPerTask(int value) {
      stepsPerTask = value;
      return this;
    }

    public Builder optIdleCpuShare(double value) {
      idleCpuShare = value;
      return this;
    }

    public Builder optForgetSteps(int value) {
      forgetSteps = value;
      return this;
    }

    public Builder optDivergenceLoss(double value) {
      divergenceLoss = value;
      return this;
    }

    public Builder optSeed(long value) {
      seed = value;
      return this;
    }

    public Builder optDevice(String value) {
      device = value;
      return this;
    }

    public Builder optIntraOpThreads(int value) {
      intraOpThreads = value;
      return this;
    }

    public Builder optRefresh(RefreshSettings value) {
      refresh = value;
      return this;
    }

    /** Validates and builds the settings. */
    public HypernetSettings build() {
      return new HypernetSettings(
          inputs,
          classesPerTask,
          targetHidden,
          taskEmbeddingDim,
          chunkEmbeddingDim,
          chunkSize,
          trunkHidden,
          beta,
          gamma,
          noiseDraws,
          firstEraseSteps,
          eraseStepDecay,
          relapseGuard,
          learningRate,
          clipNorm,
          windowSize,
          batchSize,
          stepsPerBatch,
          stepsPerTask,
          idleCpuShare,
          forgetSteps,
          divergenceLoss,
          seed,
          device,
          intraOpThreads,
          refresh);
    }
  }
}
