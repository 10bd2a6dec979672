package io.lethe.job.learner;

import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.util.List;
import java.util.Map;

/**
 * A learner as the learner operator drives it: learn and erase in order, build snapshots, and hand
 * over its state as named parts so a checkpoint rewrites only what changed (e.g. one task's sums).
 *
 * <p>Not thread-safe: one instance per model, used by the operator's task thread only.
 */
public interface ModelLearner extends AutoCloseable {

  /**
   * Learns a micro-batch of one task. The features are in {@link PackedFeatures}' form, as the job
   * carries them.
   *
   * @throws IllegalArgumentException if the learner refuses the batch (its state then unchanged),
   *     e.g. a row that is not one packed vector
   */
  void learn(String task, List<String> sampleIds, byte[][] packedFeatures, int[] labels);

  /**
   * Erases learned samples, given what the ledger kept of them (features packed as for {@link
   * #learn}).
   *
   * @return how it took effect; REJECTED (with the state unchanged) if this learner cannot
   */
  ErasureResult eraseSamples(
      List<String> sampleIds, List<String> tasks, byte[][] packedFeatures, int[] labels);

  /**
   * Erases the samples of several requests that arrived together, in arrival order: one result per
   * request. By default one {@link #eraseSamples} call each; a learner whose erasure costs per task
   * rather than per sample (the hypernetwork relearns each task once) does the work once.
   */
  default List<ErasureResult> eraseSamplesTogether(List<SampleErasure> requests) {
    return requests.stream()
        .map(r -> eraseSamples(r.sampleIds(), r.tasks(), r.packedFeatures(), r.labels()))
        .toList();
  }

  /** Erases whole tasks without their data. */
  ErasureResult eraseTasks(List<String> tasks);

  /**
   * The current model as a snapshot.
   *
   * @throws io.lethe.learners.snapshot.NonFiniteWeightsException if any weight is NaN or infinite
   * @throws io.lethe.learners.hypernet.DivergedModelException if a gradient learner diverged
   */
  ModelSnapshot snapshot(SnapshotHeader header);

  /**
   * The state parts changed since the previous call (all parts on the first call); a part that no
   * longer exists maps to {@code null}.
   */
  Map<String, byte[]> drainChangedState();

  /**
   * Uses idle time: takes extra training steps that the learner still owes the data it has (e.g. a
   * task's step budget), within {@link IdleTick#budgetNanos the tick's budget} for the learner's
   * own CPU share. Learners without such steps take none.
   *
   * @return steps taken (0 when nothing is owed or the tick has no time for a step)
   */
  default int trainWhileIdle(IdleTick tick) {
    return 0;
  }

  /**
   * Gradient steps taken so far by learners that take them (0 for the others). Safe to call from
   * any thread (the metrics reporter's).
   */
  default long trainingSteps() {
    return 0;
  }

  /** The learner's last training loss, or NaN for learners without one. */
  double lastLoss();

  @Override
  void close();
}
