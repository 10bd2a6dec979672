package io.lethe.ingress;

import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;

/** Builds the dead-letter records the intake processors forward: envelope, key and headers. */
final class DeadLetters {
  /** Value of {@link DeadLetter#getComponent()} for everything the ingress rejects. */
  static final String COMPONENT = "ingress";

  private DeadLetters() {}

  /**
   * The dead-letter record for the raw record {@code raw} read at {@code source}, rejected at
   * {@code nowMs}, keyed by the raw key read as UTF-8 text.
   */
  static <T> Record<String, IntakeOutcome<T>> of(
      Record<byte[], byte[]> raw,
      SourcePosition source,
      DeadLetterKind kind,
      Rejection rejection,
      long nowMs) {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic(source.topic())
            .setSourcePartition(source.partition())
            .setSourceOffset(source.offset())
            .setKind(kind)
            .setReason(rejection.message())
            .setComponent(COMPONENT)
            .setKey(raw.key() == null ? null : ByteBuffer.wrap(raw.key()))
            .setValue(raw.value() == null ? null : ByteBuffer.wrap(raw.value()))
            .setRejectedAt(Instant.ofEpochMilli(nowMs))
            .build();
    String key = raw.key() == null ? null : new String(raw.key(), StandardCharsets.UTF_8);
    return new Record<String, IntakeOutcome<T>>(
        key,
        new IntakeOutcome.DeadLettered<>(letter),
        raw.timestamp(),
        DeadLetterHeaders.of(letter, rejection.code()));
  }

  /** Size of a raw record as the limit counts it: key plus value bytes. */
  static int sizeOf(Record<byte[], byte[]> raw) {
    return (raw.key() == null ? 0 : raw.key().length)
        + (raw.value() == null ? 0 : raw.value().length);
  }
}
