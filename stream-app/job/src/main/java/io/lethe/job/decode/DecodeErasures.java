package io.lethe.job.decode;

import io.lethe.job.JobMetrics;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.records.ErasureRequest;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.validation.ErasureContent;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import java.util.ArrayList;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Decodes and validates erasure requests (see {@link DecodeRecords} for the failure policy). */
public final class DecodeErasures extends DecodeRecords<ErasureRequest, ErasureEvent> {
  private static final long serialVersionUID = 1L;

  /** Side output: dead letters. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("erasure-dead-letters", TypeInformation.of(KafkaOut.class));

  private final ErasureRequestValidator validator;

  /** Decodes with schemas from {@code registry} and validates with {@code validator}. */
  public DecodeErasures(RegistryConnection registry, ErasureRequestValidator validator) {
    super(registry, ErasureRequest.class, JobMetrics.ERASURES_REJECTED);
    this.validator = validator;
  }

  @Override
  Optional<Rejection> problemWith(ErasureRequest request) {
    return validator.check(request);
  }

  @Override
  ErasureEvent toEvent(ErasureRequest request, RawRecord raw) {
    ErasureEvent event = new ErasureEvent();
    event.requestId = request.getRequestId();
    event.scope = request.getScope();
    event.subjectId = subjectOf(request);
    event.ids = new ArrayList<>(request.getIds());
    event.dataset = request.getDataset();
    event.models = new ArrayList<>(request.getModels());
    event.requestedAtMillis = request.getRequestedAt().toEpochMilli();
    event.requester = request.getRequester();
    event.fingerprint = ErasureContent.of(request).fingerprint();
    event.source = raw;
    return event;
  }

  @Override
  OutputTag<KafkaOut> deadLetters() {
    return DEAD_LETTERS;
  }

  /** The subject whose ledger answers a SAMPLE or SUBJECT request (null for TASK scope). */
  static String subjectOf(ErasureRequest request) {
    return switch (request.getScope()) {
      case SUBJECT -> request.getIds().get(0);
      case SAMPLE -> request.getSubjectId();
      case TASK -> null;
    };
  }
}
