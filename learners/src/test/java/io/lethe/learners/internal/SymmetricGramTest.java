package io.lethe.learners.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SymmetricGramTest {

  /** Equal to the plain product up to round-off, and exactly symmetric, bit for bit. */
  @ParameterizedTest(name = "n={0} d={1} blocks={2}")
  @CsvSource({"30, 8, 1", "30, 8, 2", "30, 8, 4", "30, 7, 3", "5, 11, 4", "50, 64, 8", "9, 3, 3"})
  void shouldEqualThePlainProduct(int n, int d, int blocks) {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(n * 31 + d);
      NDArray h = manager.randomUniform(-1, 1, new Shape(n, d), DataType.FLOAT64);
      double[] expected = h.transpose().matMul(h).toDoubleArray();
      NDArray gram = SymmetricGram.of(h, blocks);

      assertThat(gram.getShape()).isEqualTo(new Shape(d, d));
      double[] actual = gram.toDoubleArray();
      double scale = 0;
      for (double v : expected) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(actual[i] - expected[i]))
            .as("entry (%d, %d)", i / d, i % d)
            .isLessThanOrEqualTo(1e-13 * scale);
      }
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < i; j++) {
          assertThat(actual[i * d + j])
              .as("symmetry at (%d, %d)", i, j)
              .isEqualTo(actual[j * d + i]);
        }
      }
    }
  }

  @Test
  void shouldChooseStripsOfAtLeast512Columns() {
    assertThat(SymmetricGram.blocksFor(256)).isEqualTo(1);
    assertThat(SymmetricGram.blocksFor(1024)).isEqualTo(2);
    assertThat(SymmetricGram.blocksFor(2048)).isEqualTo(4);
    assertThat(SymmetricGram.blocksFor(4096)).isEqualTo(4);
  }

  @Test
  void shouldRefuseMoreBlocksThanColumns() {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray h = manager.ones(new Shape(4, 3), DataType.FLOAT64);
      assertThatThrownBy(() -> SymmetricGram.of(h, 4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("blocks must be in [1, 3], got 4");
    }
  }

  /**
   * Adding and subtracting batches in place gives the Gram matrix of the remaining rows, stays
   * exactly symmetric, and leaves h untouched.
   */
  @Test
  void shouldAddAndSubtractBatchesInPlace() {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(5);
      int d = 1100; // 2 strips of 550 columns
      NDArray first = manager.randomUniform(-1, 1, new Shape(40, d), DataType.FLOAT64);
      NDArray second = manager.randomUniform(-1, 1, new Shape(25, d), DataType.FLOAT64);
      double[] secondBefore = second.toDoubleArray();
      NDArray gram = manager.zeros(new Shape(d, d), DataType.FLOAT64);

      SymmetricGram.addTo(gram, first);
      SymmetricGram.addTo(gram, second);
      assertClose(gram, first.concat(second, 0), d);
      assertExactlySymmetric(gram.toDoubleArray(), d);

      SymmetricGram.subtractFrom(gram, second);
      assertClose(gram, first, d);
      assertExactlySymmetric(gram.toDoubleArray(), d);
      assertThat(second.toDoubleArray()).isEqualTo(secondBefore);
    }
  }

  @Test
  void shouldRefuseAGramOfAnotherSize() {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray h = manager.ones(new Shape(4, 3), DataType.FLOAT64);
      NDArray gram = manager.zeros(new Shape(4, 4), DataType.FLOAT64);
      assertThatThrownBy(() -> SymmetricGram.addTo(gram, h))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("expected a 3 x 3 float64 gram, got (4, 4)");
    }
  }

  private static void assertClose(NDArray gram, NDArray rows, int d) {
    double[] expected = rows.transpose().matMul(rows).toDoubleArray();
    double[] actual = gram.toDoubleArray();
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i])
          .as("entry (%d, %d)", i / d, i % d)
          .isCloseTo(expected[i], within(1e-11));
    }
  }

  private static void assertExactlySymmetric(double[] values, int d) {
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        if (values[i * d + j] != values[j * d + i]) {
          throw new AssertionError("not symmetric at (" + i + ", " + j + ")");
        }
      }
    }
  }
}
