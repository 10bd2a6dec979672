package io.lethe.job.events;

/**
 * A decoded, validated training sample inside the job (the Avro {@code TrainingSample} without the
 * free-form attributes). A Flink POJO.
 */
public final class SampleEvent {
  public String sampleId;
  public String subjectId;
  public String dataset;
  public String task;

  /**
   * The features in {@link io.lethe.learners.data.PackedFeatures}' form, packed once where the
   * sample is decoded: the ledger keeps these bytes and the analytic learner journals them, and
   * both shuffles carry about a third of the float32 bytes for a Fashion-MNIST image.
   */
  public byte[] packedFeatures;

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
      byte[] packedFeatures,
      int label,
      long eventTimeMillis) {
    this.sampleId = sampleId;
    this.subjectId = subjectId;
    this.dataset = dataset;
    this.task = task;
    this.packedFeatures = packedFeatures;
    this.label = label;
    this.eventTimeMillis = eventTimeMillis;
  }

  @Override
  public String toString() {
    return "SampleEvent[" + sampleId + " of " + subjectId + ", task " + task + "]";
  }
}
