package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskSplitTest {

  @Test
  void shouldParseFashionMnistsSplitAndWriteItBack() {
    TaskSplit split = TaskSplit.parse(TaskSplit.FASHION_MNIST);
    assertThat(split.tasks())
        .containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7), List.of(8, 9));
    assertThat(split).hasToString("0,1/2,3/4,5/6,7/8,9");
    assertThat(TaskSplit.parse(" 3, 1 /0,2,4").tasks())
        .containsExactly(List.of(3, 1), List.of(0, 2, 4));
  }

  @Test
  void shouldRejectAClassInTwoTasks() {
    assertThatThrownBy(() -> TaskSplit.parse("0,1/1,2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("class 1 is in more than one task");
    assertThatThrownBy(() -> TaskSplit.parse("0,0/1,2"))
        .hasMessage("class 0 is in more than one task");
  }

  @Test
  void shouldRejectATaskOfOneClass() {
    assertThatThrownBy(() -> TaskSplit.parse("0,1/2"))
        .hasMessage("task 2 has 1 class, expected at least 2");
  }

  @Test
  void shouldRejectASingleTask() {
    assertThatThrownBy(() -> TaskSplit.parse("0,1,2,3"))
        .hasMessage("a continual evaluation needs at least 2 tasks, got 1");
  }

  @Test
  void shouldRejectWhatIsNotAClassNumber() {
    assertThatThrownBy(() -> TaskSplit.parse("0,1;2,3"))
        .hasMessage(
            "'1;2' is not a class number; write each task's classes separated by commas and"
                + " tasks separated by slashes, e.g. 0,1/2,3/4,5/6,7/8,9");
    assertThatThrownBy(() -> TaskSplit.parse("0,1//2,3")).hasMessageStartingWith("'' is not");
    assertThatThrownBy(() -> TaskSplit.parse("0,1/-2,3")).hasMessage("class -2 is negative");
  }
}
