package io.lethe.serving;

import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerKind;
import io.lethe.records.SnapshotLineage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * One loaded model version: the scorer built from its snapshot and what the API reports about it.
 *
 * <p>The scorer holds native memory, and a swap must not free it under a request that is still
 * scoring. So a served model is reference counted: the {@link ModelTable} holds one reference while
 * the version is current, and each request {@linkplain #acquire() acquires} one for its duration.
 * The scorer is closed when the last reference is released, which is after the swap and after the
 * last request that started on this version.
 */
final class ServedModel {
  private final String name;
  private final LearnerKind learner;
  private final long version;
  private final Instant createdAt;
  private final Instant loadedAt;
  private final SnapshotLineage lineage;
  private final String signingKeyId;
  private final Scorer scorer;
  private final RequestBatcher batcher;
  private final AtomicInteger references = new AtomicInteger(1);
  private volatile boolean retired;

  ServedModel(
      String name,
      LearnerKind learner,
      long version,
      Instant createdAt,
      Instant loadedAt,
      SnapshotLineage lineage,
      String signingKeyId,
      Scorer scorer,
      ScoringSettings scoring,
      IntConsumer batchRows) {
    this.name = name;
    this.learner = learner;
    this.version = version;
    this.createdAt = createdAt;
    this.loadedAt = loadedAt;
    this.lineage = lineage;
    this.signingKeyId = signingKeyId;
    this.scorer = scorer;
    this.batcher = new RequestBatcher(scorer, scoring, this::requestsInFlight, batchRows);
  }

  String name() {
    return name;
  }

  LearnerKind learner() {
    return learner;
  }

  long version() {
    return version;
  }

  Instant createdAt() {
    return createdAt;
  }

  Instant loadedAt() {
    return loadedAt;
  }

  SnapshotLineage lineage() {
    return lineage;
  }

  /**
   * The id of the key that signed this version, or null if it is unsigned (only a service without
   * trusted keys serves those).
   */
  String signingKeyId() {
    return signingKeyId;
  }

  /** The scorer; only valid between {@link #acquire()} and {@link #release()}. */
  Scorer scorer() {
    return scorer;
  }

  /**
   * Scores rows with this version, task by task (a class-incremental model has one group, task
   * null). A request of one task is batched with concurrent requests of the same task for this
   * version ({@link RequestBatcher}); one of several tasks is scored group by group. Every API
   * scores through here; only valid between {@link #acquire()} and {@link #release()}.
   *
   * @param tasks the task of each row (null entries for a class-incremental model)
   * @return one prediction per row, in the order of {@code rows}
   */
  List<Prediction> score(List<String> tasks, float[][] rows) {
    if (rows.length > 0 && tasks.stream().allMatch(t -> Objects.equals(t, tasks.get(0)))) {
      return batcher.score(tasks.get(0), rows);
    }
    Map<String, List<Integer>> byTask = new LinkedHashMap<>();
    for (int i = 0; i < rows.length; i++) {
      byTask.computeIfAbsent(tasks.get(i), t -> new ArrayList<>()).add(i);
    }
    Prediction[] out = new Prediction[rows.length];
    byTask.forEach(
        (task, indices) -> {
          float[][] group = new float[indices.size()][];
          for (int k = 0; k < group.length; k++) {
            group[k] = rows[indices.get(k)];
          }
          List<Prediction> predictions = batcher.scoreAlone(task, group);
          for (int k = 0; k < group.length; k++) {
            out[indices.get(k)] = predictions.get(k);
          }
        });
    return Arrays.asList(out);
  }

  /**
   * Takes a reference for one request; false if this version has already been retired and freed
   * (the caller then reads the table again and finds the newer version).
   */
  boolean acquire() {
    while (true) {
      int current = references.get();
      if (current == 0) {
        return false;
      }
      if (references.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** Requests holding this version now: its references but the table's while it is current. */
  int requestsInFlight() {
    int held = references.get();
    return retired ? held : held - 1;
  }

  /** Gives the table's reference back: the version is no longer current. */
  void retire() {
    retired = true;
    release();
  }

  /** Gives a reference back; the last one closes the scorer. */
  void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      scorer.close();
    } else if (left < 0) {
      throw new IllegalStateException(name + " v" + version + " released more often than acquired");
    }
  }
}
