package io.lethe.learners.hypernet;

import ai.djl.Device;
import io.lethe.learners.refresh.RefreshSettings;
import java.util.List;

/**
 * Validated settings of the hypernetwork learner (UnCLe, Adhikari et al. 2025; von Oswald et al.
 * 2020); each error names the setting, the value and what is allowed.
 *
 * @param inputs features per sample ({@code target.inputs})
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
    double divergenceLoss,
    long seed,
    String device,
    int intraOpThreads,
    RefreshSettings refresh) {

  /** Validates every setting and copies the lists. */
  public HypernetSettings {
    require(inputs >= 1, "target.inputs", inputs, "an integer >= 1");
    require(classesPerTask >= 2, "target.classesPerTask", classesPerTask, "an integer >= 2");
    require(targetHidden != null, "target.hidden", targetHidden, "a list of integers >= 1");
    targetHidden = List.copyOf(targetHidden);
    for (int size : targetHidden) {
      require(size >= 1, "target.hidden", targetHidden, "a list of integers >= 1");
    }
    require(
        taskEmbeddingDim >= 1, "hypernet.taskEmbeddingDim", taskEmbeddingDim, "an integer >= 1");
    require(
        chunkEmbeddingDim >= 1, "hypernet.chunkEmbeddingDim", chunkEmbeddingDim, "an integer >= 1");
    require(chunkSize >= 1, "hypernet.chunkSize", chunkSize, "an integer >= 1");
    require(
        trunkHidden != null && !trunkHidden.isEmpty(),
        "hypernet.trunkHidden",
        trunkHidden,
        "a non-empty list of integers >= 1");
    trunkHidden = List.copyOf(trunkHidden);
    for (int size : trunkHidden) {
      require(size >= 1, "hypernet.trunkHidden", trunkHidden, "a non-empty list of integers >= 1");
    }
    require(Double.isFinite(beta) && beta >= 0, "hypernet.beta", beta, "a finite number >= 0");
    require(Double.isFinite(gamma) && gamma > 0, "hypernet.gamma", gamma, "a finite number > 0");
    require(noiseDraws >= 1, "erase.noiseDraws", noiseDraws, "an integer >= 1");
    require(firstEraseSteps >= 1, "erase.firstSteps", firstEraseSteps, "an integer >= 1");
    require(
        Double.isFinite(eraseStepDecay) && eraseStepDecay > 0 && eraseStepDecay <= 1,
        "erase.stepDecay",
        eraseStepDecay,
        "a number in (0, 1]");
    require(
        Double.isFinite(learningRate) && learningRate > 0,
        "optimizer.learningRate",
        learningRate,
        "a finite number > 0");
    require(
        Double.isFinite(clipNorm) && clipNorm > 0, "optimizer.clipNorm", clipNorm, "a number > 0");
    require(windowSize >= 1, "stream.windowSize", windowSize, "an integer >= 1");
    require(batchSize >= 1, "stream.batchSize", batchSize, "an integer >= 1");
    require(stepsPerBatch >= 1, "stream.stepsPerBatch", stepsPerBatch, "an integer >= 1");
    require(
        divergenceLoss > 0 && !Double.isNaN(divergenceLoss),
        "guard.divergenceLoss",
        divergenceLoss,
        "a number > 0");
    require(device != null && isDeviceName(device), "device", device, "a DJL device name");
    require(intraOpThreads >= 1, "device.intraOpThreads", intraOpThreads, "an integer >= 1");
    require(refresh != null, "refresh", refresh, "refresh settings (RefreshSettings.defaults())");
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

  private static boolean isDeviceName(String name) {
    return name.matches("cpu|cpu\\(\\d+\\)|gpu|gpu\\(\\d+\\)");
  }

  static void require(boolean ok, String key, Object value, String allowed) {
    if (!ok) {
      throw new IllegalArgumentException(
          "setting " + key + " = " + value + " is invalid: allowed is " + allowed);
    }
  }

  /**
   * Builds {@link HypernetSettings}: {@code inputs} is required, every {@code optX} has the default
   * documented in learners/HYPERNET.md; {@link #build()} validates.
   */
  public static final class Builder {
    private final int inputs;
    private int classesPerTask = 2;
    private List<Integer> targetHidden = List.of(100, 100);
    private int taskEmbeddingDim = 32;
    private int chunkEmbeddingDim = 32;
    private int chunkSize = 2048;
    private List<Integer> trunkHidden = List.of(64, 128);
    private double beta = 0.1;
    private double gamma = 0.1;
    private int noiseDraws = 10;
    private int firstEraseSteps = 100;
    private double eraseStepDecay = 0.9;
    private boolean relapseGuard = true;
    private double learningRate = 1e-3;
    private double clipNorm = 1.0;
    private int windowSize = 512;
    private int batchSize = 64;
    private int stepsPerBatch = 4;
    private double divergenceLoss = 1e3;
    private long seed = 0;
    private String device = "cpu";
    private int intraOpThreads = 1;
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
          divergenceLoss,
          seed,
          device,
          intraOpThreads,
          refresh);
    }
  }
}
