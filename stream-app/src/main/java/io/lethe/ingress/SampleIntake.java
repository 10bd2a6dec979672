package io.lethe.ingress;

import io.lethe.records.DeadLetterKind;
import io.lethe.records.TrainingSample;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, validates and de-duplicates raw training samples: valid new samples go on keyed by
 * subject id, everything else becomes a dead letter (duplicates are only counted).
 *
 * <p>Decoding happens here rather than in the source's serde so that undecodable bytes are handled
 * like any other rejection, with their source position and original bytes at hand.
 *
 * <p>De-duplication keeps each accepted sample id with its record timestamp; a sample whose id was
 * accepted within the window (by record time) is a duplicate. A stream-time punctuation deletes ids
 * older than the window, so the store holds about one window of ids. Ids are de-duplicated per
 * partition: samples are keyed by subject, so a sample id always arrives on its subject's
 * partition.
 */
final class SampleIntake
    implements Processor<byte[], byte[], String, IntakeOutcome<TrainingSample>> {
  private static final Logger log = LoggerFactory.getLogger(SampleIntake.class);

  private final Deserializer<TrainingSample> deserializer;
  private final SampleValidator validator;
  private final IngressSettings settings;
  private final String dedupeStoreName;
  private ProcessorContext<String, IntakeOutcome<TrainingSample>> context;
  private KeyValueStore<String, Long> seen;
  private IngressMetrics metrics;

  SampleIntake(
      Deserializer<TrainingSample> deserializer,
      SampleValidator validator,
      IngressSettings settings,
      String dedupeStoreName) {
    this.deserializer = deserializer;
    this.validator = validator;
    this.settings = settings;
    this.dedupeStoreName = dedupeStoreName;
  }

  /** How often expired ids are deleted: a tenth of the window, between 1 s and 1 min. */
  static Duration expiryInterval(Duration window) {
    return Duration.ofMillis(Math.max(1_000, Math.min(60_000, window.toMillis() / 10)));
  }

  @Override
  public void init(ProcessorContext<String, IntakeOutcome<TrainingSample>> context) {
    this.context = context;
    this.seen = context.getStateStore(dedupeStoreName);
    this.metrics = new IngressMetrics(context.metrics());
    context.schedule(
        expiryInterval(settings.dedupeWindow()), PunctuationType.STREAM_TIME, this::expireIds);
  }

  @Override
  public void process(Record<byte[], byte[]> raw) {
    SourcePosition source = SourcePosition.of(context);
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
    int size = DeadLetters.sizeOf(raw);
    if (size > settings.maxRecordBytes()) {
      reject(raw, source, DeadLetterKind.INVALID, tooLarge(sample, size));
      return;
    }
    Optional<Rejection> rejection = validator.check(sample);
    if (rejection.isPresent()) {
      reject(raw, source, DeadLetterKind.INVALID, rejection.get());
      return;
    }
    if (isDuplicate(sample.getSampleId(), raw.timestamp())) {
      log.debug("Dropping duplicate sample {} at {}", sample.getSampleId(), source);
      metrics.duplicate();
      return;
    }
    seen.put(sample.getSampleId(), raw.timestamp());
    metrics.accepted(IngressMetrics.SAMPLES);
    context.forward(
        new Record<>(
            sample.getSubjectId(),
            new IntakeOutcome.Accepted<>(sample),
            raw.timestamp(),
            raw.headers()));
  }

  private boolean isDuplicate(String sampleId, long timestamp) {
    Long firstSeen = seen.get(sampleId);
    return firstSeen != null
        && Math.abs(timestamp - firstSeen) < settings.dedupeWindow().toMillis();
  }

  private void expireIds(long streamTime) {
    long oldestKept = streamTime - settings.dedupeWindow().toMillis();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = seen.all()) {
      while (all.hasNext()) {
        KeyValue<String, Long> entry = all.next();
        if (entry.value <= oldestKept) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(seen::delete);
  }

  private Rejection malformed(SourcePosition source, String problem) {
    return new Rejection(
        Rejection.MALFORMED, "record at " + source + " is not a valid TrainingSample: " + problem);
  }

  private Rejection tooLarge(TrainingSample sample, int size) {
    return new Rejection(
        Rejection.RECORD_TOO_LARGE,
        "sample "
            + sample.getSampleId()
            + " of dataset "
            + sample.getDataset()
            + " is "
            + size
            + " bytes, over the limit of "
            + settings.maxRecordBytes()
            + " ("
            + IngressSettings.MAX_RECORD_BYTES
            + ")");
  }

  private void reject(
      Record<byte[], byte[]> raw, SourcePosition source, DeadLetterKind kind, Rejection rejection) {
    // Debug only: a flood of bad samples must not flood the log; the metric and topic record it.
    log.debug("Rejected sample at {}: {}", source, rejection.message());
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
