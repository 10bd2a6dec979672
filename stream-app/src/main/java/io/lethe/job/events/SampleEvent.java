package io.lethe.job.events;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A decoded, validated training sample inside the job (the Avro {@code TrainingSample} without the
 * free-form attributes). A Flink POJO.
 */
public final class SampleEvent {
  public String sampleId;
  public String subjectId;
  public String dataset;
  public String task;

  @TypeInfo(FloatVectors.VectorFactory.class)
  public float[] features;

  public int label;
  public long eventTimeMillis;

  /** Where the sample was read from, for dead-lettering it later (e.g. when it arrives late). */
  public String sourceTopic;

  public int sourcePartition;
  public long sourceOffset;

  /** For Flink's POJO serializer. */
  public SampleEvent() {}

  /** A sample with every field set. */
  public SampleEvent(
      String sampleId,
      String subjectId,
      String dataset,
      String task,
      float[] features,
      int label,
      long eventTimeMillis) {
    this.sampleId = sampleId;
    this.subjectId = subjectId;
    this.dataset = dataset;
    this.task = task;
    this.features = features;
    this.label = label;
    this.eventTimeMillis = eventTimeMillis;
  }

  @Override
  public String toString() {
    return "SampleEvent[" + sampleId + " of " + subjectId + ", task " + task + "]";
  }
}
