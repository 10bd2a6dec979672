package io.lethe.learners.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefreshLearningTest {

  private static final float TOLERANCE = 1e-6f;

  /** Rate 0.1, no noise, damping c = 1, Fisher decay 0.5. */
  private static final RefreshSettings EXACT = new RefreshSettings(true, 1, 0.1, 0, 1.0, 0.5, 16);

  @Test
  void shouldRescaleChangeToTensorNorm() {
    try (NDManager manager = NDManager.newBaseManager();
        RefreshLearning refresh = new RefreshLearning(EXACT, manager)) {
      NDArray theta = manager.create(new float[] {3, 4});
      NDArray gradient = manager.create(new float[] {2, 0});

      Map<String, NDArray> change =
          refresh.unlearnChanges(Map.of("w", theta), Map.of("w", gradient), manager);

      // g / |g| * |theta| = (5, 0); times the rate 0.1; no Fisher yet, so no damping.
      assertValues(change.get("w"), 0.5f, 0f);
      assertValues(theta, 3f, 4f);
    }
  }

  @Test
  void shouldDampChangeElementwiseByFisherOfLastTask() {
    try (NDManager manager = NDManager.newBaseManager();
        RefreshLearning refresh = new RefreshLearning(EXACT, manager)) {
      NDArray theta = manager.create(new float[] {3, 4});
      NDArray gradient = manager.create(new float[] {1, 1});
      refresh.absorbFisher(Map.of("w", manager.create(new float[] {1, 3})));

      Map<String, NDArray> change =
          refresh.unlearnChanges(Map.of("w", theta), Map.of("w", gradient), manager);

      float rescaled = (float) (5 / Math.sqrt(2) * 0.1);
      assertValues(change.get("w"), rescaled / (1 + 1), rescaled / (1 + 3));
      assertThat(refresh.hasFisher("w")).isTrue();
    }
  }

  @Test
  void shouldDecayOldFisherWhenNewTaskFinishes() {
    try (NDManager manager = NDManager.newBaseManager();
        RefreshLearning refresh = new RefreshLearning(EXACT, manager)) {
      refresh.absorbFisher(Map.of("w", manager.create(new float[] {2, 2})));
      refresh.absorbFisher(Map.of("w", manager.create(new float[] {1, 0})));
      NDArray theta = manager.create(new float[] {0, 1});
      NDArray gradient = manager.create(new float[] {1, 0});

      Map<String, NDArray> change =
          refresh.unlearnChanges(Map.of("w", theta), Map.of("w", gradient), manager);

      // F = 0.5 * (2, 2) + (1, 0) = (2, 1); change (0.1, 0) damped by 1 + F.
      assertValues(change.get("w"), 0.1f / 3, 0f);
    }
  }

  @Test
  void shouldAddNoiseOfConfiguredScale() {
    RefreshSettings noisy = new RefreshSettings(true, 1, 0.1, 0.01, 0, 0, 16);
    try (NDManager manager = NDManager.newBaseManager();
        RefreshLearning refresh = new RefreshLearning(noisy, manager)) {
      int n = 20_000;
      NDArray theta = manager.ones(new Shape(n));
      NDArray gradient = manager.zeros(new Shape(n));
      gradient.set(new ai.djl.ndarray.index.NDIndex("0"), 1f);

      float[] change =
          refresh
              .unlearnChanges(Map.of("w", theta), Map.of("w", gradient), manager)
              .get("w")
              .toFloatArray();

      double sumSquares = 0;
      for (int i = 1; i < n; i++) {
        sumSquares += change[i] * change[i];
      }
      double std = Math.sqrt(sumSquares / (n - 1));
      assertThat(std).isCloseTo(0.1 * 0.01, within(0.1 * 0.01 * 0.05));
      assertThat((double) change[0]).isCloseTo(0.1 * Math.sqrt(n), within(0.01));
    }
  }

  @Test
  void shouldBeOffByDefaultAndRespectInterval() {
    RefreshSettings everyThird = new RefreshSettings(true, 3, 0.1, 0, 0, 0, 16);
    try (NDManager manager = NDManager.newBaseManager();
        RefreshLearning off = new RefreshLearning(RefreshSettings.defaults(), manager);
        RefreshLearning third = new RefreshLearning(everyThird, manager)) {
      assertThat(RefreshSettings.defaults().enabled()).isFalse();
      for (long step = 0; step < 10; step++) {
        assertThat(off.isDue(step)).isFalse();
        assertThat(third.isDue(step)).isEqualTo(step % 3 == 0);
      }
    }
  }

  private static void assertValues(NDArray actual, float... expected) {
    float[] values = actual.toFloatArray();
    assertThat(values).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(values[i]).as("element %d", i).isCloseTo(expected[i], within(TOLERANCE));
    }
  }
}
