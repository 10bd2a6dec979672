package io.lethe.ingress;

import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Builds the dead-letter records the intake processors forward: the shared envelope ({@link
 * DeadLetterEnvelope}), key and headers.
 */
final class DeadLetters {
  /** Value of {@link DeadLetter#getComponent()} for everything the ingress rejects. */
  static final String COMPONENT = "ingress";

  private DeadLetters() {}

  /**
   * The dead-letter record for the raw record {@code raw} read at {@code source}, rejected at
   * {@code nowMs}, keyed by the raw key read as UTF-8 text (its prefix if the original is
   * truncated). Originals up to {@code maxCarriedBytes} travel whole.
   */
  static <T> Record<String, IntakeOutcome<T>> of(
      Record<byte[], byte[]> raw,
      SourcePosition source,
      DeadLetterKind kind,
      Rejection rejection,
      int maxCarriedBytes,
      long nowMs) {
    DeadLetter letter =
        DeadLetterEnvelope.of(
            COMPONENT,
            source.asSource(),
            kind,
            rejection,
            raw.key(),
            raw.value(),
            sizeOf(raw),
            maxCarriedBytes,
            Instant.ofEpochMilli(nowMs));
    String key =
        letter.getKey() == null
            ? null
            : StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
    return new Record<String, IntakeOutcome<T>>(
        key,
        new IntakeOutcome.DeadLettered<>(letter),
        raw.timestamp(),
        DeadLetterHeaders.of(letter));
  }

  /** Size of a raw record as the limit counts it: key plus value bytes. */
  static int sizeOf(Record<byte[], byte[]> raw) {
    return DeadLetterEnvelope.sizeOf(raw.key(), raw.value());
  }
}
