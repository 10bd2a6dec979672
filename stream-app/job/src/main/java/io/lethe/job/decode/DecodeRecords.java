package io.lethe.job.decode;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.records.DeadLetterKind;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroDeserializer;
import io.lethe.schemas.serde.WireFormatException;
import io.lethe.validation.Rejection;
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

  private final RegistryConnection registry;
  private final Class<R> type;
  private final String rejectedMetric;
  private transient SchemaRegistryClient registryClient;
  private transient SpecificAvroDeserializer<R> deserializer;
  private transient Counter rejected;

  DecodeRecords(RegistryConnection registry, Class<R> type, String rejectedMetric) {
    this.registry = registry;
    this.type = type;
    this.rejectedMetric = rejectedMetric;
  }

  /** Why {@code record} is invalid (with the validator's reason code), or empty. */
  abstract Optional<Rejection> problemWith(R record);

  /** The job's event for a valid record read from {@code raw}. */
  abstract E toEvent(R record, RawRecord raw);

  /** Where dead letters go. */
  abstract OutputTag<KafkaOut> deadLetters();

  @Override
  public void open(OpenContext openContext) {
    registryClient = registry.open();
    deserializer = new SpecificAvroDeserializer<>(type, registryClient);
    rejected = getRuntimeContext().getMetricGroup().counter(rejectedMetric);
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<E> out) {
    R record;
    try {
      record = deserializer.deserialize(raw.topic, raw.value);
    } catch (WireFormatException e) {
      reject(
          ctx, raw, DeadLetterKind.MALFORMED, new Rejection(Rejection.MALFORMED, e.getMessage()));
      return;
    }
    if (record == null) {
      reject(
          ctx,
          raw,
          DeadLetterKind.MALFORMED,
          new Rejection(Rejection.MALFORMED, "record has no value"));
      return;
    }
    Optional<Rejection> problem = problemWith(record);
    if (problem.isPresent()) {
      reject(ctx, raw, DeadLetterKind.INVALID, problem.get());
      return;
    }
    out.collect(toEvent(record, raw));
  }

  private void reject(Context ctx, RawRecord raw, DeadLetterKind kind, Rejection rejection) {
    rejected.inc();
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    ctx.output(deadLetters(), JobDeadLetters.of(raw, kind, rejection, now));
  }

  @Override
  public void close() {
    if (registryClient != null) {
      registryClient.close();
    }
  }
}
