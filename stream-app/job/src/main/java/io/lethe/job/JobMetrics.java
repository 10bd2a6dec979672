package io.lethe.job;

import java.util.List;

/**
 * The names of the learner job's own Flink metrics, registered on its operators' metric groups; the
 * dashboards and the deploy manifests' consistency test read them from here.
 *
 * <p>Per-model gauges live in a key-value group {@value #MODEL_GROUP} named after the model ({@code
 * <subtask>.Learner.model.<name>.version} in Flink's REST API; Flink's Prometheus reporter turns
 * the group into a {@code model} label).
 */
public final class JobMetrics {
  /** Samples learned by the Learner operator. */
  public static final String SAMPLES_LEARNED = "samplesLearned";

  /** Samples a learner refused (dead-lettered). */
  public static final String SAMPLES_REFUSED = "samplesRefused";

  /** Erasure commands applied by the Learner operator. */
  public static final String ERASURES_APPLIED = "erasuresApplied";

  /** Snapshots published to the models topic. */
  public static final String SNAPSHOTS_PUBLISHED = "snapshotsPublished";

  /** Snapshots refused (NaN/Inf weights, diverged loss). */
  public static final String SNAPSHOTS_REFUSED = "snapshotsRefused";

  /** Samples the ledger recorded for exact erasure. */
  public static final String LEDGER_SAMPLES_RECORDED = "ledgerSamplesRecorded";

  /** Ledger entries removed by erasures. */
  public static final String LEDGER_SAMPLES_ERASED = "ledgerSamplesErased";

  /** Late samples of an erased subject that were never learned. */
  public static final String LEDGER_LATE_SAMPLES_REFUSED = "ledgerLateSamplesRefused";

  /** Samples refused by the ledger as duplicates or erased before arrival. */
  public static final String LEDGER_DUPLICATES_REFUSED = "ledgerDuplicatesRefused";

  /** Samples that did not decode or validate in the job. */
  public static final String SAMPLES_REJECTED = "samplesRejected";

  /** Erasure requests that did not decode or validate in the job. */
  public static final String ERASURES_REJECTED = "erasuresRejected";

  /** Erasure requests repeating an earlier request's id and content: retries, not run again. */
  public static final String ERASURE_RETRIES = "erasureRetries";

  /** Erasure requests reusing an earlier request's id with other content: refused. */
  public static final String ERASURE_IDS_REUSED = "erasureIdsReused";

  /** Key of the per-model key-value metric group. */
  public static final String MODEL_GROUP = "model";

  /** Per model: the last published snapshot version. */
  public static final String MODEL_VERSION = "version";

  /** Per model: time from the last applied erasure to the snapshot that reflects it. */
  public static final String MODEL_ERASURE_TO_SNAPSHOT_MILLIS = "erasureToSnapshotMillis";

  /** Per model: the last training loss (NaN for learners without one). */
  public static final String MODEL_LOSS = "loss";

  /**
   * Per model: the model's consumer lag in time, how long the newest sample of its last learned
   * micro-batch waited since its timestamp on the samples topic (processing time minus the Kafka
   * record's timestamp). It keeps its last value while no sample comes, so it says nothing about
   * samples not yet read: use it with the Kafka source's {@code pendingRecords}.
   */
  public static final String MODEL_INPUT_LAG_MILLIS = "inputLagMillis";

  /** Per model: gradient steps its learner has taken on its active tasks (0 for the analytic). */
  public static final String MODEL_TRAINING_STEPS = "trainingSteps";

  /** Every operator-level metric, in no particular order. */
  public static final List<String> OPERATOR_METRICS =
      List.of(
          SAMPLES_LEARNED,
          SAMPLES_REFUSED,
          ERASURES_APPLIED,
          SNAPSHOTS_PUBLISHED,
          SNAPSHOTS_REFUSED,
          LEDGER_SAMPLES_RECORDED,
          LEDGER_SAMPLES_ERASED,
          LEDGER_LATE_SAMPLES_REFUSED,
          LEDGER_DUPLICATES_REFUSED,
          SAMPLES_REJECTED,
          ERASURES_REJECTED,
          ERASURE_RETRIES,
          ERASURE_IDS_REUSED);

  /** Every per-model metric in group {@value #MODEL_GROUP}. */
  public static final List<String> MODEL_METRICS =
      List.of(
          MODEL_VERSION,
          MODEL_ERASURE_TO_SNAPSHOT_MILLIS,
          MODEL_LOSS,
          MODEL_INPUT_LAG_MILLIS,
          MODEL_TRAINING_STEPS);

  private JobMetrics() {}
}
