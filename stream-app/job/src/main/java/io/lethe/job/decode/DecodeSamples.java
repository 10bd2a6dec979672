package io.lethe.job.decode;

import io.lethe.job.JobMetrics;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.events.SampleEvent;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.schemas.serde.FloatList;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Decodes and validates training samples (see {@link DecodeRecords} for the failure policy). */
public final class DecodeSamples extends DecodeRecords<TrainingSample, SampleEvent> {
  private static final long serialVersionUID = 1L;

  /** Side output: dead letters. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("sample-dead-letters", TypeInformation.of(KafkaOut.class));

  private final SampleValidator validator;
  private transient PackedFeatures packer;

  /** Decodes with schemas from {@code registry} and validates with {@code validator}. */
  public DecodeSamples(RegistryConnection registry, SampleValidator validator) {
    super(registry, TrainingSample.class, JobMetrics.SAMPLES_REJECTED);
    this.validator = validator;
  }

  @Override
  Optional<Rejection> problemWith(TrainingSample sample) {
    return validator.check(sample);
  }

  @Override
  SampleEvent toEvent(TrainingSample sample, RawRecord raw) {
    if (packer == null) {
      packer = new PackedFeatures();
    }
    SampleEvent event =
        new SampleEvent(
            sample.getSampleId(),
            sample.getSubjectId(),
            sample.getDataset(),
            sample.getTask(),
            packer.pack(toFloats(sample.getFeatures())),
            sample.getLabel(),
            sample.getEventTime().toEpochMilli());
    event.sourceTopic = raw.topic;
    event.sourcePartition = raw.partition;
    event.sourceOffset = raw.offset;
    return event;
  }

  /**
   * The features as a {@code float[]}: the decoder's own array when it read them unboxed (the
   * sample is dropped after this), else a copy of the boxed list.
   */
  private static float[] toFloats(List<Float> values) {
    if (values instanceof FloatList unboxed) {
      return unboxed.array();
    }
    float[] features = new float[values.size()];
    for (int i = 0; i < features.length; i++) {
      features[i] = values.get(i);
    }
    return features;
  }

  @Override
  OutputTag<KafkaOut> deadLetters() {
    return DEAD_LETTERS;
  }
}
