package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint parts: a restored learner is the same learner, and only changed parts are exported.
 */
class AnalyticStateTest {
  private static final int INPUT_DIM = 30;
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(5L, INPUT_DIM).withBufferSize(128);

  private final RandomSamples all = RandomSamples.generate(3L, 1200, INPUT_DIM, 3, 40);

  @Test
  void shouldRestoreTheSameLearnerFromItsParts() {
    RandomSamples first = all.filter(i -> i < 800);
    RandomSamples later = all.filter(i -> i >= 800);
    RandomSamples erased = first.filter(i -> i % 9 == 0);
    try (AnalyticLearner original = new AnalyticLearner(SETTINGS)) {
      first.learnInto(original, 100);
      original.weights();
      erased.eraseFrom(original, 10);
      Map<String, byte[]> parts = new HashMap<>(original.drainChangedState());

      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, parts)) {
        assertThat(restored.samplesPerTask()).isEqualTo(original.samplesPerTask());
        assertThat(restored.classes()).isEqualTo(original.classes());
        assertThat(restored.hasLearned(erased.ids.get(0))).isFalse();
        assertThat(restored.hasLearned(first.filter(i -> i % 9 != 0).ids.get(0))).isTrue();

        // Both go on identically and stay bit-for-bit equal in their sums.
        later.learnInto(original, 100);
        later.learnInto(restored, 100);
        assertThat(restored.drainChangedState())
            .usingRecursiveComparison()
            .isEqualTo(original.drainChangedState());
        double[] a = original.weights().values();
        double[] b = restored.weights().values();
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(a[i]));
          maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        assertThat(maxDiff / maxAbs).isLessThan(1e-12);
      }
    }
  }

  @Test
  void shouldExportOnlyTheTasksThatChanged() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.learnInto(learner, 200);
      assertThat(learner.drainChangedState().keySet())
          .containsExactlyInAnyOrder("index", "task/t0", "task/t1", "task/t2");
      assertThat(learner.drainChangedState()).isEmpty();

      RandomSamples t1 = all.filter(i -> all.tasks.get(i).equals("t1"));
      t1.filter(i -> i < 3).eraseFrom(learner, 3);
      assertThat(learner.drainChangedState().keySet())
          .containsExactlyInAnyOrder("index", "task/t1");

      learner.eraseTask("t2");
      Map<String, byte[]> parts = learner.drainChangedState();
      assertThat(parts.keySet()).containsExactlyInAnyOrder("index", "task/t2");
      assertThat(parts.get("task/t2")).isNull();
    }
  }

  @Test
  void shouldRefuseIncompleteParts() {
    assertThatThrownBy(() -> AnalyticLearner.restore(SETTINGS, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("analytic learner state has no index part");
  }
}
