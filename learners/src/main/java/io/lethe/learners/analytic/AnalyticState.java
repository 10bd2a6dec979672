package io.lethe.learners.analytic;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

  static byte[] encodeSums(double[] gram, double[] cross) {
    ByteBuffer buffer =
        ByteBuffer.allocate(2 * Integer.BYTES + (gram.length + cross.length) * Double.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(gram.length).putInt(cross.length);
    buffer.asDoubleBuffer().put(gram).put(cross);
    return buffer.array();
  }

  static Sums decodeSums(byte[] bytes, int bufferSize, int classes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int gramLength = buffer.getInt();
    int crossLength = buffer.getInt();
    if (gramLength != bufferSize * bufferSize || crossLength != bufferSize * classes) {
      throw new IllegalArgumentException(
          "analytic learner state has sums of "
              + gramLength
              + " + "
              + crossLength
              + " values, expected "
              + bufferSize * bufferSize
              + " + "
              + bufferSize * classes
              + " for buffer size "
              + bufferSize
              + " and "
              + classes
              + " classes");
    }
    double[] gram = new double[gramLength];
    double[] cross = new double[crossLength];
    var doubles = buffer.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
    doubles.get(gram).get(cross);
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
