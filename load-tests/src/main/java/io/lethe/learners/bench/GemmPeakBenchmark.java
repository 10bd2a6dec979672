package io.lethe.learners.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.lethe.learners.internal.SymmetricGram;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The float64 matrix-multiply peak of the backend (PyTorch through DJL): time of one n x n by n x n
 * product, 2 n^3 flops; and the learn step's own GEMM shape (d x b by b x d, 2 b d^2 flops). The
 * learn benchmark's achieved GFLOP/s is reported as a fraction of this peak, measured in the same
 * run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
public class GemmPeakBenchmark {
  @Param({"2048"})
  int n;

  /** Column strips for {@link #symmetricGram}. */
  @Param({"2", "4"})
  int blocks;

  private NDManager manager;
  private NDArray a;
  private NDArray b;
  private NDArray tall;

  @Setup(Level.Trial)
  public void setUp() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setGradMode(false);
    manager = NDManager.newBaseManager();
    a = manager.randomUniform(0, 1, new Shape(n, n), DataType.FLOAT64);
    b = manager.randomUniform(0, 1, new Shape(n, n), DataType.FLOAT64);
    tall =
        manager.randomUniform(0, 1, new Shape(AnalyticLearnBenchmark.BATCH, n), DataType.FLOAT64);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** Square float64 GEMM: 2 n^3 flops per call. */
  @Benchmark
  public double squareGemm() {
    try (NDArray c = a.matMul(b)) {
      return c.getDouble(0, 0);
    }
  }

  /**
   * The same Gram product as {@link #gramGemm} computed from its upper block triangle ({@link
   * SymmetricGram}, the learner's path), with {@code blocks} column strips: the learn step's Gram
   * cost against the plain product in the same run.
   */
  @Benchmark
  public double symmetricGram() {
    try (NDManager scratch = manager.newSubManager()) {
      tall.tempAttach(scratch); // intermediates land in scratch; tall goes back on close
      return SymmetricGram.of(tall, blocks).getDouble(0, 0);
    }
  }

  /** The learn step's Gram update shape: (n x 2000)(2000 x n), 2 * 2000 * n^2 flops per call. */
  @Benchmark
  public double gramGemm() {
    try (NDArray t = tall.transpose();
        NDArray c = t.matMul(tall)) {
      return c.getDouble(0, 0);
    }
  }
}
