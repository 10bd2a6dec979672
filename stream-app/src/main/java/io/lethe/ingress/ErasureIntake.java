package io.lethe.ingress;

import io.lethe.ingress.receipts.ErasureEvent;
import io.lethe.ingress.receipts.RequestInfo;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureRequest;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates raw erasure requests. A valid request goes on keyed by the subject (task id
 * for TASK scope) and is announced to the receipt tracker; a rejected one is dead-lettered and, if
 * it has a request id to answer to, announced to the tracker as rejected so that a REJECTED receipt
 * says why.
 */
final class ErasureIntake
    implements Processor<byte[], byte[], String, IntakeOutcome<ErasureRequest>> {
  private static final Logger log = LoggerFactory.getLogger(ErasureIntake.class);

  private final Deserializer<ErasureRequest> deserializer;
  private final ErasureRequestValidator validator;
  private final IngressSettings settings;
  private ProcessorContext<String, IntakeOutcome<ErasureRequest>> context;
  private IngressMetrics metrics;

  ErasureIntake(
      Deserializer<ErasureRequest> deserializer,
      ErasureRequestValidator validator,
      IngressSettings settings) {
    this.deserializer = deserializer;
    this.validator = validator;
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, IntakeOutcome<ErasureRequest>> context) {
    this.context = context;
    this.metrics = new IngressMetrics(context.metrics());
  }

  @Override
  public void process(Record<byte[], byte[]> raw) {
    SourcePosition source = SourcePosition.of(context);
    ErasureRequest request;
    try {
      request = raw.value() == null ? null : deserializer.deserialize(source.topic(), raw.value());
    } catch (SerializationException e) {
      reject(raw, source, DeadLetterKind.MALFORMED, malformed(source, e.getMessage()), null);
      return;
    }
    if (request == null) {
      reject(
          raw,
          source,
          DeadLetterKind.MALFORMED,
          malformed(source, "the record has no value"),
          null);
      return;
    }
    int size = DeadLetters.sizeOf(raw);
    Optional<Rejection> rejection =
        size > settings.maxRecordBytes()
            ? Optional.of(tooLarge(request, size))
            : validator.check(request);
    if (rejection.isPresent()) {
      reject(raw, source, DeadLetterKind.INVALID, rejection.get(), request);
      return;
    }
    metrics.accepted(IngressMetrics.ERASURES);
    context.forward(
        new Record<>(
            routingKey(request),
            new IntakeOutcome.Accepted<>(request),
            raw.timestamp(),
            raw.headers()));
    track(request, null, raw.timestamp());
  }

  /**
   * The key on the validated topic: the subject, so the request reaches the partition holding that
   * subject's ledger, or the first task id for TASK scope.
   */
  static String routingKey(ErasureRequest request) {
    return switch (request.getScope()) {
      case SUBJECT, TASK -> request.getIds().get(0);
      case SAMPLE -> request.getSubjectId();
    };
  }

  private void track(ErasureRequest request, String rejection, long timestamp) {
    context.forward(
        new Record<String, IntakeOutcome<ErasureRequest>>(
            request.getRequestId(),
            new IntakeOutcome.Tracked<>(ErasureEvent.request(RequestInfo.of(request), rejection)),
            timestamp));
  }

  private static Rejection malformed(SourcePosition source, String problem) {
    return new Rejection(
        Rejection.MALFORMED, "record at " + source + " is not a valid ErasureRequest: " + problem);
  }

  private Rejection tooLarge(ErasureRequest request, int size) {
    return new Rejection(
        Rejection.RECORD_TOO_LARGE,
        "erasure request "
            + request.getRequestId()
            + " is "
            + size
            + " bytes, over the limit of "
            + settings.maxRecordBytes()
            + " ("
            + IngressSettings.MAX_RECORD_BYTES
            + ")");
  }

  private void reject(
      Record<byte[], byte[]> raw,
      SourcePosition source,
      DeadLetterKind kind,
      Rejection rejection,
      ErasureRequest request) {
    log.info("Rejected erasure request at {}: {}", source, rejection.message());
    metrics.rejected(IngressMetrics.ERASURES, rejection.code());
    context.forward(
        DeadLetters.of(
            raw,
            source,
            kind,
            rejection,
            settings.maxRecordBytes(),
            context.currentSystemTimeMs()));
    boolean answerable = request != null && !isBlank(request.getRequestId());
    if (answerable) {
      track(request, rejection.message(), raw.timestamp());
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
