package io.lethe.learners.analytic;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte encoding of an {@link AnalyticLearner}'s checkpoint parts: the index (bookkeeping) and one
 * part per task's sums. Versioned so a later layout can still read old checkpoints.
 */
final class AnalyticState {
  static final String INDEX = "index";
  private static final int INDEX_VERSION = 1;

  private AnalyticState() {}

  static String taskPart(String task) {
    return "task/" + task;
  }

  record TaskCount(String task, long samples) {}

  record Learned(String id, String task, int label, long hash) {}

  record Index(
      long[] classCounts,
      List<TaskCount> tasks,
      List<Learned> learned,
      List<String> erasedIds,
      List<String> erasedTasks) {}

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
