package io.lethe.job.events;

import java.util.ArrayList;
import java.util.List;

/**
 * What one shard of a sharded analytic model sends to the model's merge at a checkpoint barrier:
 * its partial sums if they changed since it last sent them, and the erasures it applied since. A
 * Flink POJO.
 */
public final class ShardPartial {
  public String model;

  /** The shard's index, 0 to shards - 1. */
  public int shard;

  /**
   * The shard's {@link io.lethe.learners.analytic.AnalyticPartialSums}, encoded; null if they did
   * not change since the shard last sent them.
   */
  public byte[] sums;

  /** Samples the shard learned in total (not reduced by erasure). */
  public long samplesLearned;

  /** When the shard last learned a sample, epoch ms (0: never). */
  public long lastLearnedAtMillis;

  /** Erasures the shard applied since it last sent, in order. */
  public List<ShardReport> reports = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public ShardPartial() {}

  @Override
  public String toString() {
    return "ShardPartial["
        + model
        + " shard "
        + shard
        + (sums == null ? " unchanged" : " " + sums.length + " bytes")
        + ", "
        + reports.size()
        + " erasures]";
  }
}
