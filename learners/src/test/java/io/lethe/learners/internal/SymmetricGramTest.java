package io.lethe.learners.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
