package io.lethe.job.decode;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.events.SampleEvent;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroDeserializer;
import io.lethe.schemas.serde.WireFormatException;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates training samples; bytes that are not a valid {@code TrainingSample} and
 * samples the catalog does not accept go to {@link #DEAD_LETTERS} with the reason, never failing
 * the job. An unreachable schema registry does fail it (and Flink restarts it): those bytes may be
 * valid and must not be thrown away.
 */
public final class DecodeSamples extends ProcessFunction<RawRecord, SampleEvent> {
  private static final long serialVersionUID = 1L;

  /** Side output: dead letters. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("sample-dead-letters", TypeInformation.of(KafkaOut.class));

  private final String registryUrl;
  private final SampleValidator validator;
  private transient SchemaRegistryClient registry;
  private transient SpecificAvroDeserializer<TrainingSample> deserializer;
  private transient Counter rejected;

  /** Decodes with schemas from {@code registryUrl} and validates with {@code validator}. */
  public DecodeSamples(String registryUrl, SampleValidator validator) {
    this.registryUrl = registryUrl;
    this.validator = validator;
  }

  @Override
  public void open(OpenContext openContext) {
    registry = new SchemaRegistryClient(RegistryClientSettings.of(registryUrl));
    deserializer = new SpecificAvroDeserializer<>(TrainingSample.class, registry);
    rejected = getRuntimeContext().getMetricGroup().counter("samplesRejected");
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<SampleEvent> out) {
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    TrainingSample sample;
    try {
      sample = deserializer.deserialize(raw.topic, raw.value);
    } catch (WireFormatException e) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.MALFORMED, e.getMessage(), now));
      return;
    }
    if (sample == null) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.MALFORMED, "record has no value", now));
      return;
    }
    Optional<String> problem = validator.check(sample).map(Rejection::message);
    if (problem.isPresent()) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.INVALID, problem.get(), now));
      return;
    }
    List<Float> values = sample.getFeatures();
    float[] features = new float[values.size()];
    for (int i = 0; i < features.length; i++) {
      features[i] = values.get(i);
    }
    SampleEvent event =
        new SampleEvent(
            sample.getSampleId(),
            sample.getSubjectId(),
            sample.getDataset(),
            sample.getTask(),
            features,
            sample.getLabel(),
            sample.getEventTime().toEpochMilli());
    event.sourceTopic = raw.topic;
    event.sourcePartition = raw.partition;
    event.sourceOffset = raw.offset;
    out.collect(event);
  }

  private void reject(Context ctx, KafkaOut letter) {
    rejected.inc();
    ctx.output(DEAD_LETTERS, letter);
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}
