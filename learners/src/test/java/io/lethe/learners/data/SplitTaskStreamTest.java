package io.lethe.learners.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTaskStreamTest {
  private static final LabeledSet DATA = tiny(200);

  @Test
  void shouldStreamTasksInTheGivenOrderWithTheirClassesOnly() {
    SplitTaskStream stream =
        new SplitTaskStream(
            DATA, SplitTaskStream.Options.fashionMnist(3L, 7).withOrder(List.of(4, 0, 2, 1, 3)));
    assertThat(stream.tasks().stream().map(SplitTaskStream.Task::id))
        .containsExactly("4", "0", "2", "1", "3");
    Set<String> ids = new HashSet<>();
    int total = 0;
    for (SplitTaskStream.Task task : stream.tasks()) {
      for (LabeledBatch batch : stream.batches(task)) {
        assertThat(batch.task()).isEqualTo(task.id());
        assertThat(batch.size()).isBetween(1, 7);
        for (int label : batch.labels()) {
          assertThat(task.classes()).contains(label);
        }
        ids.addAll(batch.sampleIds());
        total += batch.size();
      }
    }
    assertThat(total).isEqualTo(DATA.size());
    assertThat(ids).hasSize(DATA.size()).contains("train-0", "train-199");
  }

  @Test
  void shouldShuffleDeterministicallyBySeed() {
    SplitTaskStream.Task task = new SplitTaskStream.Task("1", List.of(2, 3));
    List<String> first =
        new SplitTaskStream(DATA, SplitTaskStream.Options.fashionMnist(5L, 100))
            .batches(task)
            .get(0)
            .sampleIds();
    List<String> again =
        new SplitTaskStream(DATA, SplitTaskStream.Options.fashionMnist(5L, 100))
            .batches(task)
            .get(0)
            .sampleIds();
    List<String> other =
        new SplitTaskStream(DATA, SplitTaskStream.Options.fashionMnist(6L, 100))
            .batches(task)
            .get(0)
            .sampleIds();
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first).containsExactlyInAnyOrderElementsOf(first);
  }

  private static LabeledSet tiny(int n) {
    float[][] rows = new float[n][3];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      rows[i][0] = i;
    }
    return new LabeledSet("train", rows, labels);
  }
}
