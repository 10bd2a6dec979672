package io.lethe.job.decode;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.records.DeadLetterKind;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroDeserializer;
import io.lethe.schemas.serde.WireFormatException;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw Kafka records into one Avro record type, validates them and turns them into the job's
 * events. Bytes that are not a valid record and records that fail validation go to the subclass's
 * dead-letter side output with the reason and never fail the job. An unreachable schema registry
 * does fail it (and Flink restarts it): those bytes may be valid and must not be thrown away.
 *
 * @param <R> the Avro record type on the topic
 * @param <E> the job's event type
 */
abstract class DecodeRecords<R extends SpecificRecord, E> extends ProcessFunction<RawRecord, E> {
  private static final long serialVersionUID = 1L;

  private final String registryUrl;
  private final Class<R> type;
  private final String rejectedMetric;
  private transient SchemaRegistryClient registry;
  private transient SpecificAvroDeserializer<R> deserializer;
  private transient Counter rejected;

  DecodeRecords(String registryUrl, Class<R> type, String rejectedMetric) {
    this.registryUrl = registryUrl;
    this.type = type;
    this.rejectedMetric = rejectedMetric;
  }

  /** Why {@code record} is invalid, or empty. */
  abstract Optional<String> problemWith(R record);

  /** The job's event for a valid record read from {@code raw}. */
  abstract E toEvent(R record, RawRecord raw);

  /** Where dead letters go. */
  abstract OutputTag<KafkaOut> deadLetters();

  @Override
  public void open(OpenContext openContext) {
    registry = new SchemaRegistryClient(RegistryClientSettings.of(registryUrl));
    deserializer = new SpecificAvroDeserializer<>(type, registry);
    rejected = getRuntimeContext().getMetricGroup().counter(rejectedMetric);
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<E> out) {
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    R record;
    try {
      record = deserializer.deserialize(raw.topic, raw.value);
    } catch (WireFormatException e) {
      reject(ctx, JobDeadLetters.of(raw, DeadLetterKind.MALFORMED, e.getMessage(), now));
      return;
    }
    if (record == null) {
      reject(ctx, JobDeadLetters.of(raw, DeadLetterKind.MALFORMED, "record has no value", now));
      return;
    }
    Optional<String> problem = problemWith(record);
    if (problem.isPresent()) {
      reject(ctx, JobDeadLetters.of(raw, DeadLetterKind.INVALID, problem.get(), now));
      return;
    }
    out.collect(toEvent(record, raw));
  }

  private void reject(Context ctx, KafkaOut letter) {
    rejected.inc();
    ctx.output(deadLetters(), letter);
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}
