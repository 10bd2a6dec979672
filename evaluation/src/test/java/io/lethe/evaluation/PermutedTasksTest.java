package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.data.LabeledBatch;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.data.SplitTaskStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PermutedTasksTest {
  private static final int PIXELS = 784;

  @Test
  void shouldKeepTaskZerosFeaturesAsTheyAre() {
    assertThat(PermutedTasks.permutation(0, PIXELS))
        .containsExactly(IntStream.range(0, PIXELS).toArray());
  }

  @Test
  void shouldGiveEveryTaskATruePermutation() {
    for (int task = 0; task < 20; task++) {
      int[] sorted = PermutedTasks.permutation(task, PIXELS).clone();
      Arrays.sort(sorted);
      assertThat(sorted).as("task %d", task).containsExactly(IntStream.range(0, PIXELS).toArray());
    }
  }

  @Test
  void shouldGiveTheSamePermutationForTheSameTaskEveryTime() {
    assertThat(PermutedTasks.permutation(7, PIXELS))
        .containsExactly(PermutedTasks.permutation(7, PIXELS));
  }

  @Test
  void shouldGiveEveryTaskADifferentPermutationThatMovesMostFeatures() {
    Set<List<Integer>> seen = new HashSet<>();
    for (int task = 0; task < 20; task++) {
      int[] permutation = PermutedTasks.permutation(task, PIXELS);
      assertThat(seen.add(Arrays.stream(permutation).boxed().toList()))
          .as("task %d", task)
          .isTrue();
      if (task > 0) {
        long fixed = IntStream.range(0, PIXELS).filter(j -> permutation[j] == j).count();
        assertThat(fixed).as("features task %d leaves in place", task).isLessThan(10);
      }
    }
  }

  @Test
  void shouldMoveFeatureValuesAndKeepLabelsAndIds() {
    int[] permutation = PermutedTasks.permutation(3, 5);
    float[][] rows = {{0, 1, 2, 3, 4}, {10, 11, 12, 13, 14}};
    LabeledBatch batch =
        new LabeledBatch("3", List.of("a", "b"), List.of("s", "t"), rows, new int[] {4, 2});

    LabeledBatch permuted = PermutedTasks.apply(3, List.of(batch)).get(0);

    for (int j = 0; j < 5; j++) {
      assertThat(permuted.features()[0][j]).isEqualTo((float) permutation[j]);
      assertThat(permuted.features()[1][j]).isEqualTo(10f + permutation[j]);
    }
    assertThat(permuted.labels()).containsExactly(4, 2);
    assertThat(permuted.sampleIds()).containsExactly("a", "b");
    assertThat(rows[0]).as("the input is left alone").containsExactly(0, 1, 2, 3, 4);
    LabeledSet set = PermutedTasks.apply(3, new LabeledSet("test", rows, new int[] {4, 2}));
    assertThat(set.features()[1]).containsExactly(permuted.features()[1]);
  }

  @Test
  void shouldStreamEveryClassInEveryTask() {
    SplitTaskStream.Options options =
        PermutedTasks.stream(3, TaskSplit.parse("4,5/0,1/2,3"), 9, 32, 100);

    assertThat(options.split())
        .containsExactly(
            List.of(0, 1, 2, 3, 4, 5), List.of(0, 1, 2, 3, 4, 5), List.of(0, 1, 2, 3, 4, 5));
    assertThat(options.order()).containsExactly(0, 1, 2);
    assertThat(options.shuffleSeed()).isEqualTo(9);
    assertThatThrownBy(() -> PermutedTasks.stream(1, TaskSplit.parse("0,1/2,3"), 9, 32, 100))
        .hasMessage("a continual evaluation needs at least 2 permuted tasks, got 1");
  }

  @Test
  void shouldRefuseARowOfAnotherLength() {
    assertThatThrownBy(() -> PermutedTasks.apply(new int[] {1, 0}, new float[][] {{1, 2, 3}}))
        .hasMessage("row 0 has 3 features, expected 2");
  }
}
