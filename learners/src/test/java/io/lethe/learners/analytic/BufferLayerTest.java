package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.lethe.learners.internal.Torch;
import org.junit.jupiter.api.Test;

class BufferLayerTest {
  @Test
  void shouldReuseTheLastDrawOnlyForTheSameNumbers() {
    double[] first = BufferLayer.drawn(7L, 5, 3);

    assertThat(BufferLayer.drawn(7L, 5, 3)).isSameAs(first);
    assertThat(first).isEqualTo(BufferLayer.weightValues(7L, 5, 3));
    assertThat(BufferLayer.drawn(8L, 5, 3)).isEqualTo(BufferLayer.weightValues(8L, 5, 3));
    assertThat(BufferLayer.drawn(7L, 5, 4)).isEqualTo(BufferLayer.weightValues(7L, 5, 4));
    assertThat(BufferLayer.drawn(7L, 6, 3)).isEqualTo(BufferLayer.weightValues(7L, 6, 3));
    assertThat(BufferLayer.drawn(7L, 5, 3)).isEqualTo(first);
  }

  @Test
  void shouldGiveEveryLayerItsOwnCopyOfTheWeights() {
    Torch.noGradOnThisThread();
    try (NDManager manager = NDManager.newBaseManager();
        BufferLayer a = BufferLayer.create(manager, 42L, 4, 3);
        BufferLayer b = BufferLayer.create(manager, 42L, 4, 3)) {
      float[][] rows = {{1f, 0.5f, -1f, 2f}};
      double[] before = b.features(b.input(manager, rows)).toDoubleArray();
      assertThat(a.features(a.input(manager, rows)).toDoubleArray()).isEqualTo(before);
      a.close();

      assertThat(b.features(b.input(manager, rows)).toDoubleArray()).isEqualTo(before);
      assertThat(BufferLayer.drawn(42L, 4, 3)).isEqualTo(BufferLayer.weightValues(42L, 4, 3));
    }
  }
}
