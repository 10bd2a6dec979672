package io.lethe.job.learner;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-model bookkeeping kept in Flink state next to the learner: the last published version and
 * what has changed since. A Flink POJO.
 */
public final class ModelProgress {
  /** Last version published (0 before the first). Never reused: it is restored with the learner. */
  public long version;

  /** Samples learned since the last published version. */
  public long samplesSinceSnapshot;

  /** Whether the model changed since the last published version. */
  public boolean changed;

  /**
   * Processing time the model's snapshot timer is set for, 0 if none is set. One timer per model:
   * an erasure that wants a snapshot sooner moves it earlier, a change never later.
   */
  public long snapshotTimerAt;

  /** Total samples learned (not reduced by erasure); for metrics. */
  public long samplesLearned;

  /** Erasures applied to the learner but not yet in a published version. */
  public List<PendingErasure> pendingErasures = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public ModelProgress() {}

  /** An erasure applied but not yet published. A Flink POJO. */
  public static final class PendingErasure {
    public String requestId;
    public String guarantee;
    public String reason;
    public long samplesErased;
    public long requestedAtMillis;
    public long appliedAtMillis;

    /** For Flink's POJO serializer. */
    public PendingErasure() {}
  }
}
