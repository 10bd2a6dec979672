package io.lethe.ingress;

import io.lethe.records.DeadLetterKind;
import io.lethe.records.TrainingSample;
import io.lethe.validation.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * De-duplicates valid samples by sample id, after {@link SampleIntake}'s samples were repartitioned
 * by id: a sample id is caught as a duplicate whatever key or partition it arrived on. A new sample
 * goes on keyed by its subject; a duplicate becomes a dead letter ({@value
 * Rejection#DUPLICATE_SAMPLE}) with its original bytes and source position.
 *
 * <p>The store keeps each accepted sample id with its record timestamp; a sample whose id was
 * accepted within the window (by record time) is a duplicate. A stream-time punctuation deletes ids
 * older than the window, so the store holds about one window of ids.
 */
final class SampleDedupe
    implements Processor<String, byte[], String, IntakeOutcome<TrainingSample>> {
  private final Deserializer<TrainingSample> deserializer;
  private final IngressSettings settings;
  private final String storeName;
  private ProcessorContext<String, IntakeOutcome<TrainingSample>> context;
  private KeyValueStore<String, Long> seen;
  private IngressMetrics metrics;

  SampleDedupe(
      Deserializer<TrainingSample> deserializer, IngressSettings settings, String storeName) {
    this.deserializer = deserializer;
    this.settings = settings;
    this.storeName = storeName;
  }

  /** How often expired ids are deleted: a tenth of the window, between 1 s and 1 min. */
  static Duration expiryInterval(Duration window) {
    return Duration.ofMillis(Math.max(1_000, Math.min(60_000, window.toMillis() / 10)));
  }

  @Override
  public void init(ProcessorContext<String, IntakeOutcome<TrainingSample>> context) {
    this.context = context;
    this.seen = context.getStateStore(storeName);
    this.metrics = new IngressMetrics(context.metrics());
    context.schedule(
        expiryInterval(settings.dedupeWindow()), PunctuationType.STREAM_TIME, this::expireIds);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    SourcePosition source = SourceHeaders.position(record.headers(), SourcePosition.of(context));
    TrainingSample sample;
    try {
      sample = deserializer.deserialize(source.topic(), record.value());
    } catch (SerializationException e) {
      // The intake decoded these bytes a moment ago; only a schema deleted since gets here.
      deadLetter(record, source, DeadLetterKind.MALFORMED, SampleIntake.malformed(source, "" + e));
      return;
    }
    String sampleId = sample.getSampleId();
    Long firstSeen = seen.get(sampleId);
    if (firstSeen != null
        && Math.abs(record.timestamp() - firstSeen) < settings.dedupeWindow().toMillis()) {
      metrics.duplicate();
      deadLetter(
          record,
          source,
          DeadLetterKind.INVALID,
          new Rejection(
              Rejection.DUPLICATE_SAMPLE,
              "sample "
                  + sampleId
                  + " at "
                  + source
                  + " was already accepted with record time "
                  + Instant.ofEpochMilli(firstSeen)
                  + "; duplicate ignored"));
      return;
    }
    seen.put(sampleId, record.timestamp());
    metrics.accepted(IngressMetrics.SAMPLES);
    context.forward(
        new Record<>(
            sample.getSubjectId(),
            new IntakeOutcome.Accepted<>(sample),
            record.timestamp(),
            SourceHeaders.strip(record.headers())));
  }

  private void deadLetter(
      Record<String, byte[]> record,
      SourcePosition source,
      DeadLetterKind kind,
      Rejection rejection) {
    byte[] key = SourceHeaders.key(record.headers());
    Record<byte[], byte[]> original =
        new Record<>(key, record.value(), record.timestamp(), record.headers());
    metrics.rejected(IngressMetrics.SAMPLES, rejection.code());
    // A dead letter's headers are its own (DeadLetterHeaders), not the record's.
    context.forward(
        DeadLetters.of(
            original,
            source,
            kind,
            rejection,
            settings.maxRecordBytes(),
            context.currentSystemTimeMs()));
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
}
