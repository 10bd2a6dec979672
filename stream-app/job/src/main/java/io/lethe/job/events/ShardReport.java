package io.lethe.job.events;

import java.util.ArrayList;
import java.util.List;

/**
 * One shard's result of an erasure request: a SUBJECT or SAMPLE erasure runs on the subject's shard
 * alone, a TASK erasure on every shard, and the model's merge confirms the request once (with the
 * first version without the data) from all the reports it needs. A Flink POJO.
 */
public final class ShardReport {
  public String requestId;

  /** The shard's {@link io.lethe.records.ErasureGuarantee}, by name. */
  public String guarantee;

  /** The shard's reason, or null. */
  public String reason;

  public long samplesErased;
  public long requestedAtMillis;
  public long appliedAtMillis;

  /** Reports the request needs: 1 for a SUBJECT or SAMPLE erasure, the shard count for TASK. */
  public int expectedReports;

  /** TASK: the tasks requested, in request order. */
  public List<String> tasks = new ArrayList<>();

  /** TASK: the requested tasks this shard did not hold. */
  public List<String> tasksNotHeld = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public ShardReport() {}
}
