package io.lethe.ingress;

import io.lethe.ingress.receipts.ErasureEvent;
import io.lethe.ingress.receipts.RequestInfo;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureRequest;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates raw erasure requests. A valid request goes to the receipt tracker, keyed by
 * request id, which decides whether it is new (and forwards it to the learner job), a retry or a
 * reused id; a rejected one is dead-lettered here and, if it has a request id to answer to,
 * announced to the tracker as rejected so that a REJECTED receipt says why.
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
    track(request, null, raw, source);
  }

  private void track(
      ErasureRequest request, String rejection, Record<byte[], byte[]> raw, SourcePosition source) {
    ErasureEvent event =
        ErasureEvent.request(RequestInfo.of(request), rejection, origin(raw, source));
    context.forward(
        new Record<String, IntakeOutcome<ErasureRequest>>(
            request.getRequestId(), new IntakeOutcome.Tracked<>(event), raw.timestamp()));
  }

  /** The raw record's position and bytes, its first bytes if it is large. */
  private static ErasureEvent.Origin origin(Record<byte[], byte[]> raw, SourcePosition source) {
    int size = DeadLetters.sizeOf(raw);
    boolean whole = size <= ErasureEvent.Origin.MAX_CARRIED_BYTES;
    return new ErasureEvent.Origin(
        source.topic(),
        source.partition(),
        source.offset(),
        whole ? raw.key() : prefix(raw.key()),
        whole ? raw.value() : prefix(raw.value()),
        size);
  }

  private static byte[] prefix(byte[] bytes) {
    return bytes == null || bytes.length <= DeadLetterEnvelope.PREFIX_BYTES
        ? bytes
        : Arrays.copyOf(bytes, DeadLetterEnvelope.PREFIX_BYTES);
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
            + " (ingress setting "
            + IngressSettings.MAX_RECORD_BYTES
            + ")");
  }

  private void reject(
      Record<byte[], byte[]> raw,
      SourcePosition source,
      DeadLetterKind kind,
      Rejection rejection,
      ErasureRequest request) {
    // Debug only, like samples: a flood of bad requests must not flood the log.
    log.debug("Rejected erasure request at {}: {}", source, rejection.code());
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
      track(request, rejection.message(), raw, source);
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
