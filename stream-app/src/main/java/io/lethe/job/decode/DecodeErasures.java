package io.lethe.job.decode;

import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureRequest;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroDeserializer;
import io.lethe.schemas.serde.WireFormatException;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates erasure requests, dead-lettering what it cannot accept (see {@link
 * DecodeSamples} for the failure policy).
 */
public final class DecodeErasures extends ProcessFunction<RawRecord, ErasureEvent> {
  private static final long serialVersionUID = 1L;

  /** Side output: dead letters. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("erasure-dead-letters", TypeInformation.of(KafkaOut.class));

  private final String registryUrl;
  private final ErasureRequestValidator validator;
  private transient SchemaRegistryClient registry;
  private transient SpecificAvroDeserializer<ErasureRequest> deserializer;
  private transient Counter rejected;

  /** Decodes with schemas from {@code registryUrl} and validates with {@code validator}. */
  public DecodeErasures(String registryUrl, ErasureRequestValidator validator) {
    this.registryUrl = registryUrl;
    this.validator = validator;
  }

  @Override
  public void open(OpenContext openContext) {
    registry = new SchemaRegistryClient(RegistryClientSettings.of(registryUrl));
    deserializer = new SpecificAvroDeserializer<>(ErasureRequest.class, registry);
    rejected = getRuntimeContext().getMetricGroup().counter("erasuresRejected");
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<ErasureEvent> out) {
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    ErasureRequest request;
    try {
      request = deserializer.deserialize(raw.topic, raw.value);
    } catch (WireFormatException e) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.MALFORMED, e.getMessage(), now));
      return;
    }
    if (request == null) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.MALFORMED, "record has no value", now));
      return;
    }
    Optional<String> problem = validator.check(request).map(Rejection::message);
    if (problem.isPresent()) {
      reject(ctx, DeadLetters.of(raw, DeadLetterKind.INVALID, problem.get(), now));
      return;
    }
    ErasureEvent event = new ErasureEvent();
    event.requestId = request.getRequestId();
    event.scope = request.getScope();
    event.subjectId = subjectOf(request);
    event.ids = new ArrayList<>(request.getIds());
    event.dataset = request.getDataset();
    event.models = new ArrayList<>(request.getModels());
    event.requestedAtMillis = request.getRequestedAt().toEpochMilli();
    event.requester = request.getRequester();
    out.collect(event);
  }

  /** The subject whose ledger answers a SAMPLE or SUBJECT request (null for TASK scope). */
  static String subjectOf(ErasureRequest request) {
    return switch (request.getScope()) {
      case SUBJECT -> request.getIds().get(0);
      case SAMPLE -> request.getSubjectId();
      case TASK -> null;
    };
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
