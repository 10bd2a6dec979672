package io.lethe.learners.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lethe.learners.internal.BlockedCholesky;
import io.lethe.learners.internal.Cholesky;
import io.lethe.learners.internal.Torch;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One shard's share of a data-parallel analytic model: the sums G = sum h h^T and C = sum h y^T
 * over the samples the shard retains (over all its tasks), with its class and task counts. Sums of
 * disjoint sample sets add, so the model of all shards is W = (gamma I + sum_s G_s)^-1 sum_s C_s,
 * the same ridge solution as one learner that learned and erased everything (ACIL eq. 8-10), up to
 * float64 round-off; {@link #merge} computes it.
 *
 * @param bufferSize d_E
 * @param gram G, d_E x d_E row-major, or null if the shard retains no samples
 * @param cross C, d_E x classCounts.length row-major, or null with {@code gram}
 * @param classCounts retained samples per class label
 * @param samplesPerTask retained samples per task, in the order the shard first learned them
 * @param erasedTasks tasks the shard erased, in erasure order
 */
public record AnalyticPartialSums(
    int bufferSize,
    double[] gram,
    double[] cross,
    long[] classCounts,
    Map<String, Long> samplesPerTask,
    List<String> erasedTasks) {

  private static final int FORMAT = 1;

  /** Checks the sizes; the collections are copied, keeping their order. */
  public AnalyticPartialSums {
    samplesPerTask = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(samplesPerTask));
    erasedTasks = List.copyOf(erasedTasks);
    if ((gram == null) != (cross == null)) {
      throw new IllegalArgumentException("partial sums need both G and C, or neither");
    }
    if (gram != null
        && (gram.length != bufferSize * bufferSize
            || cross.length != bufferSize * classCounts.length)) {
      throw new IllegalArgumentException(
          "partial sums of "
              + gram.length
              + " + "
              + cross.length
              + " values do not fit buffer size "
              + bufferSize
              + " and "
              + classCounts.length
              + " classes");
    }
  }

  /** Whether the shard retains no samples (and so contributes nothing but its erased tasks). */
  public boolean isEmpty() {
    return gram == null;
  }

  /**
   * The bytes a shard sends to the merge: G as its upper triangle in float64 (d_E (d_E + 1) / 2
   * values, 16 MiB at d_E 2048), C, and the counts.
   */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(bufferSize);
      out.writeInt(classCounts.length);
      for (long count : classCounts) {
        out.writeLong(count);
      }
      out.writeInt(samplesPerTask.size());
      for (Map.Entry<String, Long> task : samplesPerTask.entrySet()) {
        out.writeUTF(task.getKey());
        out.writeLong(task.getValue());
      }
      out.writeInt(erasedTasks.size());
      for (String task : erasedTasks) {
        out.writeUTF(task);
      }
      out.writeBoolean(gram != null);
      if (gram != null) {
        byte[] sums = AnalyticState.encodeSums(gram, cross, bufferSize);
        out.writeInt(sums.length);
        out.write(sums);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IllegalArgumentException if the bytes are not partial sums of this format
   */
  public static AnalyticPartialSums decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "analytic partial sums of format " + format + ", this build reads " + FORMAT);
      }
      int d = in.readInt();
      long[] classCounts = new long[in.readInt()];
      for (int i = 0; i < classCounts.length; i++) {
        classCounts[i] = in.readLong();
      }
      Map<String, Long> tasks = new LinkedHashMap<>();
      int taskCount = in.readInt();
      for (int i = 0; i < taskCount; i++) {
        tasks.put(in.readUTF(), in.readLong());
      }
      List<String> erased = new ArrayList<>();
      int erasedCount = in.readInt();
      for (int i = 0; i < erasedCount; i++) {
        erased.add(in.readUTF());
      }
      if (!in.readBoolean()) {
        return new AnalyticPartialSums(d, null, null, classCounts, tasks, erased);
      }
      byte[] sumsBytes = new byte[in.readInt()];
      in.readFully(sumsBytes);
      AnalyticState.Sums sums = AnalyticState.decodeSums(sumsBytes, d, classCounts.length);
      return new AnalyticPartialSums(d, sums.gram(), sums.cross(), classCounts, tasks, erased);
    } catch (IOException e) {
      throw new IllegalArgumentException("analytic partial sums are truncated", e);
    }
  }

  /**
   * The snapshot of the model the shards make together: W solved from the summed sums as {@link
   * AnalyticLearner} solves its own (blocked Cholesky and one step of iterative refinement), the
   * head restricted to the classes some shard retains. Tasks are listed in the order the shards
   * give them (shard by shard), so their order may differ from one learner's.
   *
   * @throws io.lethe.learners.snapshot.NonFiniteWeightsException if a weight is NaN or infinite
   */
  public static ModelSnapshot mergeSnapshot(
      AnalyticSettings settings, Iterable<AnalyticPartialSums> shards, SnapshotHeader header) {
    return AnalyticSnapshots.encode(merge(settings, shards), header);
  }

  /** The head of the model the shards make together (see {@link #mergeSnapshot}). */
  public static HeadWeights mergedWeights(
      AnalyticSettings settings, Iterable<AnalyticPartialSums> shards) {
    return merge(settings, shards).weights();
  }

  /**
   * Adds the shards' sums in one pass, holding one shard's G besides the running sum (a merge of
   * many shards at d_E 2048 takes 32 MiB per shard at a time, not per shard in the model).
   */
  static AnalyticModel merge(AnalyticSettings settings, Iterable<AnalyticPartialSums> shards) {
    int d = settings.bufferSize();
    Map<String, Long> samplesPerTask = new LinkedHashMap<>();
    LinkedHashSet<String> erasedTasks = new LinkedHashSet<>();
    long[] classCounts = new long[0];
    double[] gram = new double[d * d];
    List<double[]> crosses = new ArrayList<>(); // small: d_E x classes each
    List<Integer> widths = new ArrayList<>();
    for (AnalyticPartialSums shard : shards) {
      if (shard.bufferSize != d) {
        throw new IllegalArgumentException(
            "partial sums of buffer size " + shard.bufferSize + ", the model has " + d);
      }
      shard.samplesPerTask.forEach((task, count) -> samplesPerTask.merge(task, count, Long::sum));
      erasedTasks.addAll(shard.erasedTasks);
      int width = shard.classCounts.length;
      if (width > classCounts.length) {
        classCounts = java.util.Arrays.copyOf(classCounts, width);
      }
      for (int c = 0; c < width; c++) {
        classCounts[c] += shard.classCounts[c];
      }
      if (!shard.isEmpty()) {
        for (int i = 0; i < gram.length; i++) {
          gram[i] += shard.gram[i];
        }
        crosses.add(shard.cross);
        widths.add(width);
      }
    }
    int k = classCounts.length;
    double[] cross = new double[d * k];
    for (int s = 0; s < crosses.size(); s++) {
      double[] part = crosses.get(s);
      int width = widths.get(s);
      for (int r = 0; r < d; r++) {
        for (int c = 0; c < width; c++) {
          cross[r * k + c] += part[r * width + c];
        }
      }
    }
    List<Integer> classes = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      if (classCounts[c] > 0) {
        classes.add(c);
      }
    }
    if (crosses.isEmpty() || classes.isEmpty()) {
      return new AnalyticModel(
          settings,
          new HeadWeights(List.of(), d, new double[0]),
          samplesPerTask,
          List.copyOf(erasedTasks));
    }
    double[] all = solve(settings, gram, cross, k);
    double[] values = new double[d * classes.size()];
    for (int r = 0; r < d; r++) {
      for (int c = 0; c < classes.size(); c++) {
        values[r * classes.size() + c] = all[r * k + classes.get(c)];
      }
    }
    return new AnalyticModel(
        settings, new HeadWeights(classes, d, values), samplesPerTask, List.copyOf(erasedTasks));
  }

  /** W = (gamma I + G)^-1 C with one step of iterative refinement, as the learner solves. */
  private static double[] solve(AnalyticSettings settings, double[] gram, double[] cross, int k) {
    Torch.noGradOnThisThread();
    int d = settings.bufferSize();
    try (NDManager scratch = NDManager.newBaseManager()) {
      NDArray g = scratch.eye(d, d, 0, DataType.FLOAT64).muli(settings.gamma());
      g.addi(scratch.create(gram, new Shape(d, d)));
      NDArray c = scratch.create(cross, new Shape(d, k));
      BlockedCholesky factor;
      try {
        factor = BlockedCholesky.factor(g);
      } catch (Cholesky.NotPositiveDefiniteException e) {
        throw new IllegalStateException(
            "gamma I + G is not numerically positive definite (gamma " + settings.gamma() + ")", e);
      }
      try (factor) {
        NDArray weights = factor.solve(c);
        NDArray residual = c.sub(g.matMul(weights));
        weights.addi(factor.solve(residual));
        return weights.toDoubleArray();
      }
    }
  }
}
