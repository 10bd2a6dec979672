package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FloatListTest {
  @Test
  void shouldBeAFixedSizeListBackedByTheArray() {
    float[] values = {0.5f, -1f, 2f};
    FloatList list = new FloatList(values);

    assertThat(list).containsExactly(0.5f, -1f, 2f).isEqualTo(List.of(0.5f, -1f, 2f));
    assertThat(list.hashCode()).isEqualTo(List.of(0.5f, -1f, 2f).hashCode());
    assertThat(list.array()).isSameAs(values);
    assertThat(list.set(1, 7f)).isEqualTo(-1f);
    assertThat(values[1]).isEqualTo(7f);
    values[2] = 9f;
    assertThat(list.getFloat(2)).isEqualTo(9f);
    assertThatThrownBy(() -> list.add(1f)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> list.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
