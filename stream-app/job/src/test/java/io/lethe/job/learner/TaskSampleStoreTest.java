package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hypernetwork's kept samples: chunks, changed parts, and a restore from them. */
class TaskSampleStoreTest {

  @Test
  void shouldRewriteOnlyTheChunksThatChanged() {
    TaskSampleStore store = new TaskSampleStore();
    for (int i = 0; i < TaskSampleStore.CHUNK + 10; i++) {
      store.add("t", "s" + i, new byte[] {(byte) i}, i % 2);
    }
    assertThat(store.drainChangedParts()).containsOnlyKeys("samples/t/0", "samples/t/1");
    store.add("t", "late", new byte[] {1}, 0);
    assertThat(store.drainChangedParts()).containsOnlyKeys("samples/t/1");
    assertThat(store.remove("s3")).isEqualTo("t");
    assertThat(store.remove("s3")).isNull();
    assertThat(store.drainChangedParts()).containsOnlyKeys("samples/t/0");
    assertThat(store.drainChangedParts()).isEmpty();
  }

  @Test
  void shouldRestoreTheSamplesInTheirOrder() {
    TaskSampleStore store = new TaskSampleStore();
    for (int i = 0; i < TaskSampleStore.CHUNK + 2; i++) {
      store.add(i % 2 == 0 ? "a/b" : "c", "s" + i, new byte[] {(byte) i, 7}, i % 3);
    }
    store.remove("s0");
    Map<String, byte[]> parts = store.drainChangedParts();
    parts.put("model", new byte[] {9});

    TaskSampleStore restored = TaskSampleStore.restore(parts);
    assertThat(restored.size()).isEqualTo(store.size()).isEqualTo(TaskSampleStore.CHUNK + 1);
    assertThat(restored.samples("a/b"))
        .extracting(TaskSampleStore.Kept::id)
        .containsExactlyElementsOf(
            store.samples("a/b").stream().map(TaskSampleStore.Kept::id).toList());
    TaskSampleStore.Kept first = restored.samples("c").get(0);
    assertThat(first.id()).isEqualTo("s1");
    assertThat(first.packedFeatures()).containsExactly(1, 7);
    assertThat(first.label()).isEqualTo(1);
    // a restored sample can be erased, and its chunk is rewritten
    assertThat(restored.remove("s1")).isEqualTo("c");
    assertThat(restored.drainChangedParts()).containsOnlyKeys("samples/c/0");
  }

  @Test
  void shouldRemoveEveryPartOfAnErasedTask() {
    TaskSampleStore store = new TaskSampleStore();
    store.add("t", "s1", new byte[] {1}, 0);
    store.add("u", "s2", new byte[] {2}, 1);
    store.drainChangedParts();
    store.removeTask("t");
    Map<String, byte[]> parts = store.drainChangedParts();
    assertThat(parts).containsOnlyKeys("samples/t/0").containsEntry("samples/t/0", null);
    assertThat(store.remove("s1")).isNull();
    assertThat(store.samples("t")).isEmpty();
    assertThat(store.size()).isEqualTo(1);
  }
}
