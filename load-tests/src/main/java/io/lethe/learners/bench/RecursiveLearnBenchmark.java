package io.lethe.learners.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.lethe.learners.analytic.BufferLayer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The alternative to Lethe's sums: keep R = G^-1 and W current while learning, with the recursive
 * least-squares update of ACIL (eq. 13-14, the Woodbury identity): R' = R - R X^T (I + X R X^T)^-1
 * X R, W' = W + R' X^T (Y - X W). Samples per second on the same batches as {@link
 * AnalyticLearnBenchmark}, in chunks of {@link #CHUNK} rows (the capacitance inverse is CHUNK x
 * CHUNK).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
public class RecursiveLearnBenchmark {
  static final int CHUNK = 250;

  @Param({"1024", "2048", "4096"})
  int bufferSize;

  private NDManager manager;
  private BufferLayer buffer;
  private NDArray inverse;
  private NDArray weights;
  private BenchData batch;
  private NDArray oneHot;

  @Setup(Level.Trial)
  public void setUp() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setGradMode(false);
    manager = NDManager.newBaseManager();
    buffer = BufferLayer.create(manager, 42L, BenchData.INPUT_DIM, bufferSize);
    inverse = manager.eye(bufferSize, bufferSize, 0, DataType.FLOAT64).muli(1.0 / 0.1);
    weights = manager.zeros(new Shape(bufferSize, BenchData.CLASSES), DataType.FLOAT64);
    batch = BenchData.random("x", AnalyticLearnBenchmark.BATCH, 1L);
    double[] y = new double[AnalyticLearnBenchmark.BATCH * BenchData.CLASSES];
    for (int i = 0; i < batch.labels.length; i++) {
      y[i * BenchData.CLASSES + batch.labels[i]] = 1;
    }
    oneHot = manager.create(y, new Shape(AnalyticLearnBenchmark.BATCH, BenchData.CLASSES));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** Learns the batch of 2000 samples by recursive updates of R and W. */
  @Benchmark
  @OperationsPerInvocation(AnalyticLearnBenchmark.BATCH)
  public void learnRecursively() {
    JniUtils.setGradMode(false);
    for (int start = 0; start < AnalyticLearnBenchmark.BATCH; start += CHUNK) {
      try (NDManager scratch = manager.newSubManager()) {
        float[][] rows = java.util.Arrays.copyOfRange(batch.rows, start, start + CHUNK);
        NDArray h = buffer.features(buffer.input(scratch, rows));
        NDArray y = oneHot.get(start + ":" + (start + CHUNK));
        y.attach(scratch);
        NDArray hr = h.matMul(inverse); // X R
        NDArray capacitance =
            h.matMul(hr.transpose()).addi(scratch.eye(CHUNK, CHUNK, 0, DataType.FLOAT64));
        NDArray newInverse =
            hr.transpose().matMul(capacitance.inverse()).matMul(hr).neg().addi(inverse);
        NDArray residual = y.sub(h.matMul(weights));
        NDArray newWeights = h.matMul(newInverse).transpose().matMul(residual).addi(weights);
        newInverse.attach(manager);
        newWeights.attach(manager);
        inverse.close();
        weights.close();
        inverse = newInverse;
        weights = newWeights;
      }
    }
  }
}
