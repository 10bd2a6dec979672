package io.lethe.learners.analytic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.data.PackedFeatures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint parts: a restored learner is the same learner, a checkpoint writes the rows that
 * changed (a journal) rather than the sums they changed, and a task's sums are written once its
 * journal would outgrow them {@link AnalyticLearner#JOURNAL_TO_BASE_RATIO} times.
 */
class AnalyticStateTest {
  private static final int INPUT_DIM = 30;
  private static final AnalyticSettings SETTINGS =
      AnalyticSettings.defaults(5L, INPUT_DIM).withBufferSize(128);
  // Sums of one task: the upper triangle of G and C (8 class columns), in doubles.
  private static final long SUMS_BYTES = 8L * (128 * 129 / 2 + 128 * 8);
  private static final int ROW_BYTES = AnalyticState.journalRowBytes(INPUT_DIM);

  private final RandomSamples all = RandomSamples.generate(3L, 1200, INPUT_DIM, 3, 40);

  @Test
  void shouldRestoreTheSameLearnerFromBasesAndJournals() {
    RandomSamples first = all.filter(i -> i < 800);
    RandomSamples later = all.filter(i -> i >= 800);
    RandomSamples erased = first.filter(i -> i % 9 == 0);
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner original = new AnalyticLearner(SETTINGS)) {
      first.filter(i -> i < 300).learnInto(original, 100);
      checkpoint.apply(original.drainChangedState()); // bases: the classes grew
      first.filter(i -> i >= 300).learnInto(original, 100);
      original.weights();
      erased.eraseFrom(original, 10);
      Map<String, byte[]> journaled = checkpoint.apply(original.drainChangedState());
      assertThat(journaled.keySet()).anyMatch(key -> key.startsWith("journal/"));

      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        assertThat(restored.samplesPerTask()).isEqualTo(original.samplesPerTask());
        assertThat(restored.classes()).isEqualTo(original.classes());
        assertThat(restored.hasLearned(erased.ids.get(0))).isFalse();
        assertThat(restored.hasErased(erased.ids.get(0))).isTrue();
        assertThat(restored.hasLearned(first.filter(i -> i % 9 != 0).ids.get(0))).isTrue();
        assertThat(relativeDifference(original, restored)).isLessThan(1e-12);

        // Both go on identically: the same journal, and the same model.
        later.learnInto(original, 100);
        later.learnInto(restored, 100);
        assertThat(restored.drainChangedState())
            .usingRecursiveComparison()
            .isEqualTo(original.drainChangedState());
        assertThat(relativeDifference(original, restored)).isLessThan(1e-12);
      }
    }
  }

  @Test
  void shouldRestoreATaskWhoseJournalHoldsSeveralSumBatchesOfRows() {
    // Sums of 384 x 384 (600 KB) outweigh a journal of twice SUM_BATCH_ROWS rows and more of 30
    // features (525 KB), so the restored learner sums its replayed rows in more than one batch.
    AnalyticSettings wide = SETTINGS.withBufferSize(384);
    int rows = 2 * AnalyticLearner.SUM_BATCH_ROWS + 200;
    RandomSamples oneTask = RandomSamples.generate(11L, rows, INPUT_DIM, 1, 40);
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner original = new AnalyticLearner(wide)) {
      oneTask.filter(i -> i < 100).learnInto(original, 100);
      checkpoint.apply(original.drainChangedState()); // the base
      oneTask.filter(i -> i >= 100).learnInto(original, 500);
      Map<String, byte[]> journaled = checkpoint.apply(original.drainChangedState());
      assertThat(journaled).doesNotContainKey("task/t0");

      try (AnalyticLearner restored = AnalyticLearner.restore(wide, checkpoint.parts())) {
        assertThat(restored.samplesPerTask()).isEqualTo(original.samplesPerTask());
        // the rows are summed in other groups than the original summed them, and 4,000 of them
        // move the sums more than the small journals above: round-off of about 1e-11 here
        assertThat(relativeDifference(original, restored)).isLessThan(1e-9);
      }
    }
  }

  @Test
  void shouldJournalTheRowsOfTheTasksThatChanged() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 300).learnInto(learner, 100);
      learner.drainChangedState();
      assertThat(learner.drainChangedState()).isEmpty();

      RandomSamples t1 = all.filter(i -> i >= 300 && all.tasks.get(i).equals("t1"));
      t1.filter(i -> i < 10).learnInto(learner, 10);
      Map<String, byte[]> parts = learner.drainChangedState();
      assertThat(parts.keySet())
          .hasSize(2)
          .anyMatch(k -> k.startsWith("index-log/"))
          .anyMatch(k -> k.endsWith("/t1"));
      String segment =
          parts.keySet().stream().filter(k -> k.startsWith("journal/")).findFirst().orElseThrow();
      // Ten rows of 30 dense features (packed as plain float32 behind a 5-byte header), not the
      // task's sums.
      assertThat(parts.get(segment)).hasSize(3 * Integer.BYTES + 10 * (ROW_BYTES + 5));
      List<AnalyticState.JournalRow> rows =
          AnalyticState.decodeJournal(parts.get(segment), INPUT_DIM);
      assertThat(rows).hasSize(10).noneMatch(AnalyticState.JournalRow::erased);
      assertThat(rows.get(0).features()).containsExactly(t1.features.get(0));

      t1.filter(i -> i < 3).eraseFrom(learner, 3);
      parts = learner.drainChangedState();
      segment =
          parts.keySet().stream().filter(k -> k.startsWith("journal/")).findFirst().orElseThrow();
      assertThat(segment).endsWith("/t1");
      assertThat(AnalyticState.decodeJournal(parts.get(segment), INPUT_DIM))
          .hasSize(3)
          .allMatch(AnalyticState.JournalRow::erased);
    }
  }

  @Test
  void shouldLogTheIdsThatChangedInsteadOfRewritingTheIndex() {
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 300).learnInto(learner, 100);
      byte[] whole = learner.drainChangedState().get("index");
      assertThat(AnalyticState.decodeIndex(whole).learned()).hasSize(300);

      RandomSamples next = all.filter(i -> i >= 300 && i < 310);
      next.learnInto(learner, 10);
      Map<String, byte[]> parts = learner.drainChangedState();
      assertThat(parts).doesNotContainKey("index");
      AnalyticState.Index entry = AnalyticState.decodeIndex(logEntry(parts));
      assertThat(entry.learned()).extracting(AnalyticState.Learned::id).isEqualTo(next.ids);
      assertThat(entry.erasedIds()).isEmpty();
      assertThat(entry.tasks().stream().mapToLong(AnalyticState.TaskCount::samples).sum())
          .isEqualTo(310);
      assertThat(logEntry(parts).length).isLessThan(whole.length / 10);

      next.filter(i -> i < 3).eraseFrom(learner, 3);
      entry = AnalyticState.decodeIndex(logEntry(learner.drainChangedState()));
      assertThat(entry.learned()).isEmpty();
      assertThat(entry.erasedIds()).containsExactlyElementsOf(next.ids.subList(0, 3));
    }
  }

  @Test
  void shouldWriteTheIndexWholeOnceItsLogWouldOutgrowIt() {
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner original = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 100).learnInto(original, 100);
      int wholeSize = checkpoint.apply(original.drainChangedState()).get("index").length;
      // 10 ids per export; each log entry is well below the whole index, their sum is not
      long logged = 0;
      int exports = 0;
      Map<String, byte[]> parts;
      do {
        int from = 100 + 10 * exports++;
        all.filter(i -> i >= from && i < from + 10).learnInto(original, 10);
        all.filter(i -> i == from).eraseFrom(original, 1);
        parts = checkpoint.apply(original.drainChangedState());
        if (!parts.containsKey("index")) {
          logged += logEntry(parts).length;
        }
        assertThat(checkpoint.parts().keySet().stream().filter(k -> k.startsWith("index-log/")))
            .hasSize(parts.containsKey("index") ? 0 : exports);
      } while (!parts.containsKey("index"));
      assertThat(exports).isGreaterThan(2);
      assertThat(logged).isLessThanOrEqualTo(wholeSize);
      // the log parts written since the first index are deleted with the new whole index
      assertThat(parts.entrySet().stream().filter(e -> e.getValue() == null))
          .hasSize(exports - 1)
          .allMatch(e -> e.getKey().startsWith("index-log/"));

      // more logged exports on top of the new index, then a restore
      int from = 100 + 10 * exports;
      all.filter(i -> i >= from && i < from + 20).learnInto(original, 10);
      all.filter(i -> i == from + 5).eraseFrom(original, 1);
      checkpoint.apply(original.drainChangedState());
      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        for (int i = 0; i < from + 20; i++) {
          String id = all.ids.get(i);
          assertThat(restored.hasLearned(id)).as(id).isEqualTo(original.hasLearned(id));
          assertThat(restored.hasErased(id)).as(id).isEqualTo(original.hasErased(id));
        }
        assertThat(restored.hasErased(all.ids.get(from + 5))).isTrue();
        assertThat(restored.samplesPerTask()).isEqualTo(original.samplesPerTask());
        assertThat(relativeDifference(original, restored)).isLessThan(1e-12);
      }
    }
  }

  private static byte[] logEntry(Map<String, byte[]> parts) {
    return parts.entrySet().stream()
        .filter(e -> e.getKey().startsWith("index-log/"))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldWriteATasksSumsOnceItsJournalWouldOutgrowThemByTheRatio() {
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      RandomSamples many = RandomSamples.generate(7L, 5000, INPUT_DIM, 3, 40);
      many.filter(i -> i < 300).learnInto(learner, 100);
      checkpoint.apply(learner.drainChangedState());
      RandomSamples t0 = many.filter(i -> i >= 300 && many.tasks.get(i).equals("t0"));
      long journalLimit = AnalyticLearner.JOURNAL_TO_BASE_RATIO * SUMS_BYTES;
      // 50 dense rows a segment, each packed as plain float32 behind a 5-byte header
      long segmentBytes = 3 * Integer.BYTES + 50L * (ROW_BYTES + 5);
      assertThat(t0.size()).isGreaterThan((int) (50 * (journalLimit / segmentBytes + 1)));

      int learned = 0;
      int segments = 0;
      while ((segments + 1) * segmentBytes < journalLimit) {
        final int from = learned;
        if (segments == 1) {
          // Restored early, a learner does not rebase sooner than the running one.
          try (AnalyticLearner restoredEarly =
              AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
            t0.filter(i -> i >= from && i < from + 50).learnInto(restoredEarly, 50);
            assertThat(restoredEarly.drainChangedState()).doesNotContainKey("task/t0");
          }
        }
        t0.filter(i -> i >= from && i < from + 50).learnInto(learner, 50);
        learned += 50;
        Map<String, byte[]> parts = checkpoint.apply(learner.drainChangedState());
        assertThat(parts).doesNotContainKey("task/t0");
        assertThat(parts.entrySet().stream().filter(e -> e.getKey().startsWith("journal/")))
            .singleElement()
            .satisfies(e -> assertThat(e.getValue()).hasSize((int) segmentBytes));
        segments++;
      }
      assertThat(checkpoint.parts().keySet().stream().filter(k -> k.endsWith("/t0")))
          .hasSize(segments + 1); // the segments and the base from the first export

      final int from = learned;
      // Restored here, a learner rebases at the same rows as the running one.
      try (AnalyticLearner restoredMidJournal =
          AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        t0.filter(i -> i >= from && i < from + 50).learnInto(restoredMidJournal, 50);
        assertThat(restoredMidJournal.drainChangedState()).containsKey("task/t0");
      }
      t0.filter(i -> i >= from && i < from + 50).learnInto(learner, 50);
      // Rows of another task wait for a full batch: t0's rebase does not sum them early.
      RandomSamples t1 = many.filter(i -> i >= 300 && many.tasks.get(i).equals("t1"));
      t1.filter(i -> i < 20).learnInto(learner, 20);
      Map<String, byte[]> parts = checkpoint.apply(learner.drainChangedState());
      assertThat(parts.get("task/t0")).isNotNull();
      assertThat(learner.waitingRows("t0")).isZero();
      assertThat(learner.waitingRows("t1")).isEqualTo(20);
      assertThat(parts).doesNotContainKey("task/t1");
      assertThat(parts.entrySet().stream().filter(e -> e.getKey().endsWith("/t0")))
          .filteredOn(e -> e.getKey().startsWith("journal/"))
          .hasSize(segments)
          .allMatch(e -> e.getValue() == null);
      assertThat(checkpoint.parts().keySet())
          .noneMatch(k -> k.startsWith("journal/") && k.endsWith("/t0"));

      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        assertThat(relativeDifference(learner, restored)).isLessThan(1e-12);
      }
    }
  }

  @Test
  void shouldDeleteATasksBaseAndJournalWhenTheTaskIsErased() {
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 300).learnInto(learner, 100);
      checkpoint.apply(learner.drainChangedState());
      all.filter(i -> i >= 300 && all.tasks.get(i).equals("t2")).learnInto(learner, 100);
      checkpoint.apply(learner.drainChangedState());
      assertThat(checkpoint.parts().keySet()).contains("task/t2").anyMatch(k -> k.endsWith("/t2"));

      learner.eraseTask("t2");
      checkpoint.apply(learner.drainChangedState());
      assertThat(checkpoint.parts().keySet()).noneMatch(k -> k.endsWith("/t2"));
      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        assertThat(restored.samplesPerTask()).doesNotContainKey("t2");
        assertThat(restored.erasedTasks()).containsExactly("t2");
        assertThat(relativeDifference(learner, restored)).isLessThan(1e-12);
      }
    }
  }

  @Test
  void shouldRefuseIncompleteParts() {
    assertThatThrownBy(() -> AnalyticLearner.restore(SETTINGS, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("analytic learner state has no index part");
    try (AnalyticLearner learner = new AnalyticLearner(SETTINGS)) {
      all.filter(i -> i < 100).learnInto(learner, 100);
      Map<String, byte[]> parts = new HashMap<>(learner.drainChangedState());
      parts.keySet().removeIf(key -> key.endsWith("/t1"));
      assertThatThrownBy(() -> AnalyticLearner.restore(SETTINGS, parts))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("analytic learner state has no sums and no journal for task t1");
    }
  }

  @Test
  void shouldPackQuantizedRowsAndStillReadUnpackedJournals() {
    float[] pixels = new float[INPUT_DIM];
    for (int i = 0; i < INPUT_DIM; i += 2) {
      pixels[i] = (i * 37 % 255 + 1) / 255f;
    }
    float[] dense = all.features.get(0);
    List<AnalyticState.JournalRow> rows =
        List.of(
            new AnalyticState.JournalRow(false, 3, pixels, null),
            new AnalyticState.JournalRow(true, 1, dense, null));

    byte[] packed = AnalyticState.encodeJournal(rows, INPUT_DIM);

    // Row 1: 15 non-zero values, all distinct (a sparse form beats a palette of 15 entries).
    int pixelsRow = 1 + Integer.BYTES + 5 + 4 + 15 * Float.BYTES;
    int denseRow = ROW_BYTES + 5;
    assertThat(packed).hasSize(3 * Integer.BYTES + pixelsRow + denseRow);
    assertThat(AnalyticState.decodeJournal(packed, INPUT_DIM))
        .usingRecursiveComparison()
        .isEqualTo(rows);

    // Version 1, as checkpoints before packing wrote it: plain float32 features.
    ByteBuffer unpacked =
        ByteBuffer.allocate(3 * Integer.BYTES + 2 * ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    unpacked.putInt(1).putInt(INPUT_DIM).putInt(2);
    for (AnalyticState.JournalRow row : rows) {
      unpacked.put((byte) (row.erased() ? 1 : 0)).putInt(row.label());
      for (float value : row.features()) {
        unpacked.putFloat(value);
      }
    }
    assertThat(AnalyticState.decodeJournal(unpacked.array(), INPUT_DIM))
        .usingRecursiveComparison()
        .isEqualTo(rows);

    assertThatThrownBy(
            () -> AnalyticState.decodeJournal(Arrays.copyOf(packed, packed.length - 1), INPUT_DIM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("analytic learner journal row 1: packed features are cut short");
    byte[] negativeCount = packed.clone();
    ByteBuffer.wrap(negativeCount).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
    assertThatThrownBy(() -> AnalyticState.decodeJournal(negativeCount, INPUT_DIM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("analytic learner journal announces -1 rows");
    assertThatThrownBy(() -> AnalyticState.decodeJournal(packed, INPUT_DIM + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "analytic learner journal has version 2 and 30 features, expected version 1 or 2 and"
                + " 31");
  }

  @Test
  void shouldJournalPackedRowsAsGivenAndLearnTheSameAsFromFloats() {
    RandomSamples first = all.filter(i -> i < 300);
    RandomSamples some = all.filter(i -> i >= 300 && i < 700);
    PackedFeatures packer = new PackedFeatures();
    CheckpointedParts checkpoint = new CheckpointedParts();
    try (AnalyticLearner fromFloats = new AnalyticLearner(SETTINGS);
        AnalyticLearner fromPacked = new AnalyticLearner(SETTINGS);
        AnalyticLearner fromSparse = new AnalyticLearner(SETTINGS)) {
      for (AnalyticLearner learner : List.of(fromFloats, fromPacked, fromSparse)) {
        first.learnInto(learner, 100);
      }
      fromFloats.drainChangedState();
      fromPacked.drainChangedState();
      checkpoint.apply(fromSparse.drainChangedState()); // bases: the classes grew
      some.learnInto(fromFloats, 100);
      some.learnPackedInto(fromPacked, 100, packer::pack);
      some.learnPackedInto(fromSparse, 100, AnalyticStateTest::sparseForm);
      Map<String, byte[]> expected = fromFloats.drainChangedState();
      assertThat(journalBytes(expected)).isPositive();

      // The packer's own bytes: every part the same as packing the floats.
      assertThat(fromPacked.drainChangedState()).usingRecursiveComparison().isEqualTo(expected);
      assertThat(relativeDifference(fromFloats, fromPacked)).isZero();

      // Another valid form: written as given (4 bytes longer a row), and read back the same.
      Map<String, byte[]> sparse = checkpoint.apply(fromSparse.drainChangedState());
      assertThat(sparse.keySet()).isEqualTo(expected.keySet());
      assertThat(journalBytes(sparse)).isEqualTo(journalBytes(expected) + 4L * some.size());
      assertThat(relativeDifference(fromFloats, fromSparse)).isZero();
      try (AnalyticLearner restored = AnalyticLearner.restore(SETTINGS, checkpoint.parts())) {
        assertThat(relativeDifference(fromFloats, restored)).isLessThan(1e-12);
      }

      String before = fromPacked.stateDigest();
      byte[] cutShort = Arrays.copyOf(packer.pack(all.features.get(500)), 20);
      assertThatThrownBy(
              () ->
                  fromPacked.learnPacked(
                      "t0",
                      List.of("new-0", "new-1"),
                      new byte[][] {packer.pack(all.features.get(501)), cutShort},
                      new int[] {0, 1}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("row 1: packed features are cut short");
      assertThat(fromPacked.stateDigest()).isEqualTo(before);
    }
  }

  @Test
  void shouldWriteAPackedRowLargerThanTheRawFloatsWhole() {
    float[] dense = all.features.get(0);
    byte[] sparse = sparseForm(dense);
    assertThat(sparse.length).isGreaterThan(PackedFeatures.maxPackedBytes(INPUT_DIM));
    List<AnalyticState.JournalRow> rows =
        List.of(new AnalyticState.JournalRow(false, 2, dense, sparse));

    byte[] journal = AnalyticState.encodeJournal(rows, INPUT_DIM);

    assertThat(journal).hasSize(3 * Integer.BYTES + 1 + Integer.BYTES + sparse.length);
    assertThat(AnalyticState.decodeJournal(journal, INPUT_DIM).get(0).features()).isEqualTo(dense);
  }

  /**
   * {@code values} in the sparse form with every position marked: a valid packed vector, 4 bytes
   * (its bitmap) longer than the raw form the packer writes for dense values.
   */
  private static byte[] sparseForm(float[] values) {
    int bitmapBytes = (values.length + 7) / 8;
    ByteBuffer form =
        ByteBuffer.allocate(1 + Integer.BYTES + bitmapBytes + values.length * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    form.put((byte) 1).putInt(values.length);
    for (int i = 0; i < bitmapBytes; i++) {
      form.put((byte) ((1 << Math.min(8, values.length - 8 * i)) - 1));
    }
    for (float value : values) {
      form.putFloat(value);
    }
    return form.array();
  }

  /** The bytes of the journal segments among checkpoint parts. */
  private static long journalBytes(Map<String, byte[]> parts) {
    return parts.entrySet().stream()
        .filter(part -> part.getKey().startsWith("journal/"))
        .mapToLong(part -> part.getValue().length)
        .sum();
  }

  /** Max |W_b - W_a| / max |W_a|; infinite if the heads' classes differ. */
  private static double relativeDifference(AnalyticLearner a, AnalyticLearner b) {
    return b.weights().maxRelativeDifference(a.weights());
  }
}
