package io.lethe.learners.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.lethe.learners.internal.BlockedCholesky;
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
 * The analytic learner's snapshot solve at d_E = n: the blocked Cholesky factor of an n x n
 * symmetric positive-definite matrix and the solve for the 10 class columns, by the width of the
 * diagonal blocks (factored and inverted on the JVM; the rest is PyTorch GEMMs). Every snapshot
 * pays this on the learner's thread, so it bounds how often snapshots can be taken.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
public class SnapshotSolveBenchmark {
  @Param({"2048"})
  int n;

  /** Width of the diagonal blocks factored on the JVM. */
  @Param({"64", "128", "256"})
  int block;

  private NDManager manager;
  private NDArray a;
  private NDArray b;

  @Setup(Level.Trial)
  public void setUp() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setGradMode(false);
    manager = NDManager.newBaseManager();
    // a Gram matrix of 2n random rows plus a ridge: symmetric positive definite, as the learner's
    try (NDArray x = manager.randomUniform(-1, 1, new Shape(2 * n, n), DataType.FLOAT64);
        NDArray gram = x.transpose().matMul(x);
        NDArray ridge = manager.eye(n, n, 0, DataType.FLOAT64).muli(0.1)) {
      a = gram.add(ridge);
    }
    b = manager.randomUniform(-1, 1, new Shape(n, 10), DataType.FLOAT64);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** Factor, then solve for 10 columns. */
  @Benchmark
  public double factorAndSolve() {
    try (BlockedCholesky factor = BlockedCholesky.factor(a, block);
        NDArray x = factor.solve(b)) {
      return x.getDouble(0, 0);
    }
  }
}
