package io.lethe.learners.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockedCholeskyTest {

  /** Solves to the accuracy of PyTorch's LU inverse, with one block, several, and a partial one. */
  @ParameterizedTest(name = "n={0}")
  @ValueSource(ints = {1, 200, 256, 600})
  void shouldSolveLikeTheInverse(int n) {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(n);
      // a ridge Gram matrix like the learner's: H^T H + gamma I, with more columns than rows
      NDArray h = manager.randomUniform(0, 1, new Shape(n / 2 + 1, n), DataType.FLOAT64);
      NDArray a = h.transpose().matMul(h).add(manager.eye(n, n, 0, DataType.FLOAT64).muli(0.1));
      NDArray b = manager.randomUniform(-1, 1, new Shape(n, 7), DataType.FLOAT64);
      double[] before = a.toDoubleArray();

      try (BlockedCholesky factor = BlockedCholesky.factor(a)) {
        NDArray x = factor.solve(b);
        NDArray expected = a.inverse().matMul(b);

        double scale = expected.abs().max().getDouble();
        double difference = x.sub(expected).abs().max().getDouble();
        assertThat(difference).isLessThan(1e-9 * scale);
        double residual = a.matMul(x).sub(b).abs().max().getDouble();
        assertThat(residual).isLessThan(1e-9);
        assertThat(a.toDoubleArray()).as("the input is not modified").isEqualTo(before);
        assertThat(factor.size()).isEqualTo(n);
      }
    }
  }

  /** The block width changes how the work is split, not the solution. */
  @ParameterizedTest(name = "blocks {0} wide")
  @ValueSource(ints = {1, 64, 100, 600})
  void shouldSolveAlikeWithAnyBlockWidth(int width) {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(width);
      int n = 300;
      NDArray h = manager.randomUniform(0, 1, new Shape(n / 2 + 1, n), DataType.FLOAT64);
      NDArray a = h.transpose().matMul(h).add(manager.eye(n, n, 0, DataType.FLOAT64).muli(0.1));
      NDArray b = manager.randomUniform(-1, 1, new Shape(n, 7), DataType.FLOAT64);

      try (BlockedCholesky usual = BlockedCholesky.factor(a);
          BlockedCholesky other = BlockedCholesky.factor(a, width)) {
        NDArray expected = usual.solve(b);
        double scale = expected.abs().max().getDouble();
        double difference = other.solve(b).sub(expected).abs().max().getDouble();
        assertThat(difference).isLessThan(1e-9 * scale);
      }
      assertThatThrownBy(() -> BlockedCholesky.factor(a, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("block width must be > 0, was 0");
    }
  }

  @ParameterizedTest(name = "fails at column {0}")
  @ValueSource(ints = {3, 300})
  void shouldNameTheColumnWhereAMatrixIsNotPositiveDefinite(int column) {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      double[] values = new double[400 * 400];
      for (int i = 0; i < 400; i++) {
        values[i * 400 + i] = i == column ? -1.0 : 2.0;
      }
      NDArray a = manager.create(values, new Shape(400, 400));
      assertThatThrownBy(() -> BlockedCholesky.factor(a))
          .isInstanceOf(Cholesky.NotPositiveDefiniteException.class)
          .hasMessageContaining("at column " + column)
          .satisfies(
              e ->
                  assertThat(((Cholesky.NotPositiveDefiniteException) e).column())
                      .isEqualTo(column));
    }
  }
}
