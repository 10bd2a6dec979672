package io.lethe.learners.analytic;

import io.lethe.learners.data.PackedFeatures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Byte encoding of an {@link AnalyticLearner}'s checkpoint parts: the index (bookkeeping) and its
 * log (the ids learned and erased since the index was written), one part per task's sums (its
 * base), and journal segments: the rows learned into or erased from a task since its base was
 * written. Versioned so a later layout can still read old checkpoints.
 */
final class AnalyticState {
  static final String INDEX = "index";
  private static final int INDEX_VERSION = 1;
  private static final String INDEX_LOG_PREFIX = "index-log/";
  private static final String JOURNAL_PREFIX = "journal/";
  private static final int UNPACKED_JOURNAL_VERSION = 1;
  private static final int JOURNAL_VERSION = 2;

  private AnalyticState() {}

  /** The key of index log entry {@code sequence}: {@code index-log/<sequence>}. */
  static String indexLogPart(long sequence) {
    return INDEX_LOG_PREFIX + sequence;
  }

  /** The sequence number of an index log part key, or null if the key is not one. */
  static Long parseIndexLogPart(String key) {
    if (!key.startsWith(INDEX_LOG_PREFIX)) {
      return null;
    }
    try {
      return Long.parseLong(key.substring(INDEX_LOG_PREFIX.length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("analytic learner state has a malformed part " + key, e);
    }
  }

  static String taskPart(String task) {
    return "task/" + task;
  }

  /**
   * The key of journal segment {@code sequence} of {@code task}: {@code journal/<sequence>/<task>}
   * (the task last, since a task id may itself contain '/').
   */
  static String journalPart(long sequence, String task) {
    return JOURNAL_PREFIX + sequence + "/" + task;
  }

  /** The sequence number and task of a journal part key, or null if the key is not one. */
  static JournalKey parseJournalPart(String key) {
    if (!key.startsWith(JOURNAL_PREFIX)) {
      return null;
    }
    int slash = key.indexOf('/', JOURNAL_PREFIX.length());
    if (slash < 0) {
      throw new IllegalArgumentException("analytic learner state has a malformed part " + key);
    }
    try {
      long sequence = Long.parseLong(key.substring(JOURNAL_PREFIX.length(), slash));
      return new JournalKey(sequence, key.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("analytic learner state has a malformed part " + key, e);
    }
  }

  record JournalKey(long sequence, String task) {}

  /**
   * A journaled row: learned into its task's sums ({@code erased} false) or erased from them.
   * {@code packed} is the features' {@link PackedFeatures} form when the learner was given it,
   * written as is; null when the rows came as floats, which are then packed when written.
   */
  record JournalRow(boolean erased, int label, float[] features, byte[] packed) {}

  /** Size of one journal row of version 1, with {@code inputDim} plain float32 features. */
  static int journalRowBytes(int inputDim) {
    return 1 + Integer.BYTES + inputDim * Float.BYTES;
  }

  /**
   * Encodes journal rows (version {@value #JOURNAL_VERSION}): a header (version, feature count, row
   * count), then per row whether it was erased (a byte), its label and its features in {@link
   * PackedFeatures}' form (a row's {@code packed} bytes as they are, where it has them). Version 1
   * wrote the features as plain float32 and is still read.
   */
  static byte[] encodeJournal(List<JournalRow> rows, int inputDim) {
    long bytes = 3 * Integer.BYTES;
    for (JournalRow row : rows) {
      bytes +=
          1
              + Integer.BYTES
              + (row.packed() != null
                  ? row.packed().length
                  : PackedFeatures.maxPackedBytes(inputDim));
    }
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(JOURNAL_VERSION).putInt(inputDim).putInt(rows.size());
    PackedFeatures packer = new PackedFeatures();
    for (JournalRow row : rows) {
      buffer.put((byte) (row.erased() ? 1 : 0)).putInt(row.label());
      if (row.packed() != null) {
        buffer.put(row.packed());
      } else {
        packer.pack(row.features(), buffer);
      }
    }
    return Arrays.copyOf(buffer.array(), buffer.position());
  }

  static List<JournalRow> decodeJournal(byte[] bytes, int inputDim) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int version = buffer.getInt();
    int dim = buffer.getInt();
    int count = buffer.getInt();
    if ((version != JOURNAL_VERSION && version != UNPACKED_JOURNAL_VERSION) || dim != inputDim) {
      throw new IllegalArgumentException(
          "analytic learner journal has version "
              + version
              + " and "
              + dim
              + " features, expected version "
              + UNPACKED_JOURNAL_VERSION
              + " or "
              + JOURNAL_VERSION
              + " and "
              + inputDim);
    }
    if (version == UNPACKED_JOURNAL_VERSION
        && buffer.remaining() != (long) count * journalRowBytes(inputDim)) {
      throw new IllegalArgumentException(
          "analytic learner journal is truncated: " + count + " rows announced");
    }
    if (count < 0) {
      throw new IllegalArgumentException("analytic learner journal announces " + count + " rows");
    }
    // Sized by the bytes at hand, not by the count alone: a packed row takes at least 10 bytes.
    List<JournalRow> rows = new ArrayList<>(Math.min(count, buffer.remaining() / 10));
    try {
      for (int i = 0; i < count; i++) {
        boolean erased = buffer.get() != 0;
        int label = buffer.getInt();
        float[] features;
        if (version == UNPACKED_JOURNAL_VERSION) {
          features = new float[inputDim];
          buffer.asFloatBuffer().get(features);
          buffer.position(buffer.position() + inputDim * Float.BYTES);
        } else {
          try {
            features = PackedFeatures.unpack(buffer);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "analytic learner journal row " + i + ": " + e.getMessage(), e);
          }
          if (features.length != inputDim) {
            throw new IllegalArgumentException(
                "analytic learner journal row "
                    + i
                    + " has "
                    + features.length
                    + " features, expected "
                    + inputDim);
          }
        }
        rows.add(new JournalRow(erased, label, features, null));
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(
          "analytic learner journal is truncated: " + count + " rows announced", e);
    }
    if (buffer.hasRemaining()) {
      throw new IllegalArgumentException(
          "analytic learner journal has "
              + buffer.remaining()
              + " bytes after its "
              + count
              + " rows");
    }
    return rows;
  }

  record TaskCount(String task, long samples) {}

  record Learned(String id, String task, int label, long hash) {}

  /**
   * The bookkeeping. Written whole as the {@link #INDEX} part, or as an index log entry: then
   * {@code learned} and {@code erasedIds} hold only the ids learned and erased since the previous
   * entry, and the rest (small: a count per class and per task) is complete.
   */
  record Index(
      long[] classCounts,
      List<TaskCount> tasks,
      List<Learned> learned,
      List<String> erasedIds,
      List<String> erasedTasks) {}

  /**
   * The index that {@code base} followed by the log entries {@code log} (in order) describe: each
   * entry's counts replace the previous ones, its learned ids are added, and its erased ids move
   * from learned to erased. An id erased in the entry that learned it ends up erased.
   */
  static Index replay(Index base, List<Index> log) {
    Map<String, Learned> learned = new LinkedHashMap<>();
    base.learned().forEach(s -> learned.put(s.id(), s));
    Set<String> erased = new LinkedHashSet<>(base.erasedIds());
    Index latest = base;
    for (Index entry : log) {
      entry.learned().forEach(s -> learned.put(s.id(), s));
      for (String id : entry.erasedIds()) {
        learned.remove(id);
        erased.add(id);
      }
      latest = entry;
    }
    return new Index(
        latest.classCounts(),
        latest.tasks(),
        new ArrayList<>(learned.values()),
        new ArrayList<>(erased),
        latest.erasedTasks());
  }

  record Sums(double[] gram, double[] cross) {}

  static byte[] encodeIndex(Index index) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(INDEX_VERSION);
      out.writeInt(index.classCounts().length);
      for (long count : index.classCounts()) {
        out.writeLong(count);
      }
      out.writeInt(index.tasks().size());
      for (TaskCount task : index.tasks()) {
        out.writeUTF(task.task());
        out.writeLong(task.samples());
      }
      out.writeInt(index.learned().size());
      for (Learned s : index.learned()) {
        out.writeUTF(s.id());
        out.writeUTF(s.task());
        out.writeInt(s.label());
        out.writeLong(s.hash());
      }
      writeStrings(out, index.erasedIds());
      writeStrings(out, index.erasedTasks());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Index decodeIndex(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = in.readInt();
      if (version != INDEX_VERSION) {
        throw new IllegalArgumentException(
            "analytic learner state has index version " + version + ", expected " + INDEX_VERSION);
      }
      long[] classCounts = new long[in.readInt()];
      for (int i = 0; i < classCounts.length; i++) {
        classCounts[i] = in.readLong();
      }
      int taskCount = in.readInt();
      List<TaskCount> tasks = new ArrayList<>(taskCount);
      for (int i = 0; i < taskCount; i++) {
        tasks.add(new TaskCount(in.readUTF(), in.readLong()));
      }
      int learnedCount = in.readInt();
      List<Learned> learned = new ArrayList<>(learnedCount);
      for (int i = 0; i < learnedCount; i++) {
        learned.add(new Learned(in.readUTF(), in.readUTF(), in.readInt(), in.readLong()));
      }
      return new Index(classCounts, tasks, learned, readStrings(in), readStrings(in));
    } catch (IOException e) {
      throw new IllegalArgumentException("analytic learner state index is corrupt: " + e, e);
    }
  }

  /**
   * The sums of one task: G's upper triangle (G is exactly symmetric, see SymmetricGram), row by
   * row, then C. Half the bytes of the full matrix, which is what each checkpoint writes per
   * changed task.
   */
  static byte[] encodeSums(double[] gram, double[] cross, int bufferSize) {
    int d = bufferSize;
    int packed = d * (d + 1) / 2;
    ByteBuffer buffer =
        ByteBuffer.allocate(2 * Integer.BYTES + (packed + cross.length) * Double.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(packed).putInt(cross.length);
    DoubleBuffer doubles = buffer.asDoubleBuffer();
    for (int i = 0; i < d; i++) {
      doubles.put(gram, i * d + i, d - i);
    }
    doubles.put(cross);
    return buffer.array();
  }

  static Sums decodeSums(byte[] bytes, int bufferSize, int classes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int gramLength = buffer.getInt();
    int crossLength = buffer.getInt();
    int d = bufferSize;
    if (gramLength != d * (d + 1) / 2 || crossLength != d * classes) {
      throw new IllegalArgumentException(
          "analytic learner state has sums of "
              + gramLength
              + " + "
              + crossLength
              + " values, expected "
              + d * (d + 1) / 2
              + " (upper triangle) + "
              + d * classes
              + " for buffer size "
              + d
              + " and "
              + classes
              + " classes");
    }
    double[] gram = new double[d * d];
    double[] cross = new double[crossLength];
    DoubleBuffer doubles = buffer.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
    for (int i = 0; i < d; i++) {
      doubles.get(gram, i * d + i, d - i);
      for (int j = i + 1; j < d; j++) {
        gram[j * d + i] = gram[i * d + j];
      }
    }
    doubles.get(cross);
    return new Sums(gram, cross);
  }

  private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
    out.writeInt(values.size());
    for (String value : values) {
      out.writeUTF(value);
    }
  }

  private static List<String> readStrings(DataInputStream in) throws IOException {
    int count = in.readInt();
    List<String> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(in.readUTF());
    }
    return values;
  }
}
