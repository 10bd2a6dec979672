package io.lethe.ingress;

import io.lethe.records.DeadLetterKind;
import io.lethe.records.TrainingSample;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates raw training samples. A valid sample goes on, still as its raw bytes, keyed
 * by its sample id (for {@link SampleDedupe} after a repartition by id) with its source position in
 * {@link SourceHeaders}; everything else becomes a dead letter here, where the source position and
 * original bytes are at hand.
 *
 * <p>Decoding happens here rather than in the source's serde so that undecodable bytes are handled
 * like any other rejection.
 */
final class SampleIntake implements Processor<byte[], byte[], String, IntakeOutcome<byte[]>> {
  private static final Logger log = LoggerFactory.getLogger(SampleIntake.class);

  private final Deserializer<TrainingSample> deserializer;
  private final SampleValidator validator;
  private final IngressSettings settings;
  private ProcessorContext<String, IntakeOutcome<byte[]>> context;
  private IngressMetrics metrics;

  SampleIntake(
      Deserializer<TrainingSample> deserializer,
      SampleValidator validator,
      IngressSettings settings) {
    this.deserializer = deserializer;
    this.validator = validator;
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, IntakeOutcome<byte[]>> context) {
    this.context = context;
    this.metrics = new IngressMetrics(context.metrics());
  }

  @Override
  public void process(Record<byte[], byte[]> raw) {
    SourcePosition source = SourcePosition.of(context);
    int size = DeadLetters.sizeOf(raw);
    if (size > settings.maxRecordBytes()) {
      // Not decoded: a record over the limit is refused whatever it holds, and its coordinates,
      // size and first bytes are what the dead letter can carry.
      reject(raw, source, DeadLetterKind.INVALID, tooLarge(source, size));
      return;
    }
    TrainingSample sample;
    try {
      sample = raw.value() == null ? null : deserializer.deserialize(source.topic(), raw.value());
    } catch (SerializationException e) {
      reject(raw, source, DeadLetterKind.MALFORMED, malformed(source, e.getMessage()));
      return;
    }
    if (sample == null) {
      reject(raw, source, DeadLetterKind.MALFORMED, malformed(source, "the record has no value"));
      return;
    }
    Optional<Rejection> rejection = validator.check(sample);
    if (rejection.isPresent()) {
      reject(raw, source, DeadLetterKind.INVALID, rejection.get());
      return;
    }
    context.forward(
        new Record<String, IntakeOutcome<byte[]>>(
            sample.getSampleId(),
            new IntakeOutcome.Accepted<>(raw.value()),
            raw.timestamp(),
            SourceHeaders.put(raw.headers(), source, raw.key())));
  }

  static Rejection malformed(SourcePosition source, String problem) {
    return new Rejection(
        Rejection.MALFORMED,
        "record at " + source + " is not a valid TrainingSample: " + String.valueOf(problem));
  }

  private Rejection tooLarge(SourcePosition source, int size) {
    return new Rejection(
        Rejection.RECORD_TOO_LARGE,
        "record at "
            + source
            + " is "
            + size
            + " bytes, over the limit of "
            + settings.maxRecordBytes()
            + " (ingress setting "
            + IngressSettings.MAX_RECORD_BYTES
            + ")");
  }

  private void reject(
      Record<byte[], byte[]> raw, SourcePosition source, DeadLetterKind kind, Rejection rejection) {
    // Debug only: a flood of bad samples must not flood the log; the metric and topic record it.
    log.debug("Rejected sample at {}: {}", source, rejection.code());
    metrics.rejected(IngressMetrics.SAMPLES, rejection.code());
    context.forward(
        DeadLetters.of(
            raw,
            source,
            kind,
            rejection,
            settings.maxRecordBytes(),
            context.currentSystemTimeMs()));
  }
}
