package io.lethe.job.events;

import java.util.ArrayList;
import java.util.List;

/**
 * What the learner operator of one model is told to do, in order: learn one sample, erase samples
 * (with the features the ledger kept), or erase whole tasks. Keyed by {@link #model}. A Flink POJO
 * (one class with a kind rather than a class hierarchy, so Flink serializes it without Kryo).
 */
public final class LearnerCommand {
  /** The three kinds of command. */
  public enum Kind {
    LEARN,
    ERASE_SAMPLES,
    ERASE_TASKS
  }

  public Kind kind;
  public String model;

  /** LEARN, ERASE_SAMPLES: the subject, which picks the shard of a sharded model. */
  public String subjectId;

  /** ERASE_TASKS: the shard of a sharded model this copy is for (0 for an unsharded model). */
  public int shard;

  /** LEARN: the sample's task. */
  public String task;

  /** LEARN: one id; ERASE_SAMPLES: the ids to erase. */
  public List<String> sampleIds = new ArrayList<>();

  /**
   * LEARN: one row; ERASE_SAMPLES: one row per id. Each in {@link
   * io.lethe.learners.data.PackedFeatures}' form, as the ledger keeps them.
   */
  public byte[][] packedFeatures;

  /** LEARN: one label; ERASE_SAMPLES: one per id. */
  public int[] labels;

  /** LEARN: the sample's event time. */
  public long eventTimeMillis;

  /** ERASE_*: the request being applied. */
  public String requestId;

  /** ERASE_*: when the request was issued. */
  public long requestedAtMillis;

  /** ERASE_SAMPLES: the tasks of the erased samples, one per id. ERASE_TASKS: the tasks. */
  public List<String> tasks = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public LearnerCommand() {}

  /** Learn {@code sample} into {@code model}. */
  public static LearnerCommand learn(String model, SampleEvent sample) {
    LearnerCommand c = new LearnerCommand();
    c.kind = Kind.LEARN;
    c.model = model;
    c.task = sample.task;
    c.subjectId = sample.subjectId;
    c.sampleIds = List.of(sample.sampleId);
    c.packedFeatures = new byte[][] {sample.packedFeatures};
    c.labels = new int[] {sample.label};
    c.eventTimeMillis = sample.eventTimeMillis;
    return c;
  }

  /** Erase the given samples (their ids, tasks, packed features and labels) from {@code model}. */
  public static LearnerCommand eraseSamples(
      String model,
      ErasureEvent request,
      List<String> ids,
      List<String> tasks,
      byte[][] packedFeatures,
      int[] labels) {
    LearnerCommand c = new LearnerCommand();
    c.kind = Kind.ERASE_SAMPLES;
    c.model = model;
    c.subjectId = request.subjectId;
    c.requestId = request.requestId;
    c.requestedAtMillis = request.requestedAtMillis;
    c.sampleIds = new ArrayList<>(ids);
    c.tasks = new ArrayList<>(tasks);
    c.packedFeatures = packedFeatures;
    c.labels = labels;
    return c;
  }

  /** Erase whole tasks from an unsharded {@code model}. */
  public static LearnerCommand eraseTasks(String model, ErasureEvent request) {
    return eraseTasks(model, 0, request);
  }

  /** Erase whole tasks from {@code model} (from its shard {@code shard} if it is sharded). */
  public static LearnerCommand eraseTasks(String model, int shard, ErasureEvent request) {
    LearnerCommand c = new LearnerCommand();
    c.kind = Kind.ERASE_TASKS;
    c.model = model;
    c.shard = shard;
    c.requestId = request.requestId;
    c.requestedAtMillis = request.requestedAtMillis;
    c.tasks = new ArrayList<>(request.ids);
    return c;
  }

  @Override
  public String toString() {
    return "LearnerCommand["
        + kind
        + " "
        + model
        + (requestId == null ? "" : " " + requestId)
        + "]";
  }
}
