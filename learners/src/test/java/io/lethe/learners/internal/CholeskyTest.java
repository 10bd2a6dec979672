package io.lethe.learners.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CholeskyTest {

  @Test
  void shouldSolveASymmetricPositiveDefiniteSystem() {
    int n = 40;
    double[] a = randomSpd(n, new SplittableRandom(3));
    double[] x = new double[n * 2];
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextDouble(-1, 1);
    }
    double[] b = multiply(a, x, n, 2);
    double[] solved = Cholesky.factor(a, n).solve(b, 2);
    for (int i = 0; i < x.length; i++) {
      assertThat(solved[i]).isCloseTo(x[i], within(1e-10));
    }
  }

  @Test
  void shouldInvertTheLowerFactor() {
    int n = 30;
    double[] a = randomSpd(n, new SplittableRandom(6));
    Cholesky factor = Cholesky.factor(a, n);
    double[] lowerInverse = factor.lowerInverse();
    // L^-1 is lower triangular and L^-1 (L L^T) L^-T = I, i.e. (L^-1 A) L^-T = I
    double[] product = multiply(multiply(lowerInverse, a, n, n), transpose(lowerInverse, n), n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertThat(product[i * n + j]).isCloseTo(i == j ? 1.0 : 0.0, within(1e-10));
        if (j > i) {
          assertThat(lowerInverse[i * n + j]).isZero();
        }
      }
    }
  }

  private static double[] transpose(double[] m, int n) {
    double[] t = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        t[j * n + i] = m[i * n + j];
      }
    }
    return t;
  }

  @Test
  void shouldInvert() {
    int n = 12;
    double[] a = randomSpd(n, new SplittableRandom(5));
    double[] product = multiply(a, Cholesky.factor(a, n).inverse(), n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertThat(product[i * n + j]).isCloseTo(i == j ? 1.0 : 0.0, within(1e-12));
      }
    }
  }

  @Test
  void shouldRejectAMatrixThatIsNotPositiveDefinite() {
    double[] a = {1, 2, 2, 1}; // eigenvalues 3 and -1
    assertThatThrownBy(() -> Cholesky.factor(a, 2))
        .isInstanceOf(Cholesky.NotPositiveDefiniteException.class)
        .hasMessageContaining("column 1");
  }

  private static double[] randomSpd(int n, SplittableRandom random) {
    double[] m = new double[n * n];
    for (int i = 0; i < m.length; i++) {
      m[i] = random.nextDouble(-1, 1);
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = i == j ? n : 0;
        for (int k = 0; k < n; k++) {
          sum += m[i * n + k] * m[j * n + k];
        }
        a[i * n + j] = sum;
      }
    }
    return a;
  }

  private static double[] multiply(double[] a, double[] b, int n, int columns) {
    double[] c = new double[n * columns];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < columns; j++) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += a[i * n + k] * b[k * columns + j];
        }
        c[i * columns + j] = sum;
      }
    }
    return c;
  }
}
