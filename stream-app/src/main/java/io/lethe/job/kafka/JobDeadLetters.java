package io.lethe.job.kafka;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The learner job's dead letters: one envelope builder for every operator that refuses input. */
public final class JobDeadLetters {
  /** The {@code component} of the job's dead letters. */
  public static final String COMPONENT = "learner-job";

  private JobDeadLetters() {}

  /** A raw record the job could not accept, with its original key and value bytes. */
  public static KafkaOut of(RawRecord raw, DeadLetterKind kind, String reason, Instant now) {
    return build(
        raw.key == null ? null : new String(raw.key, StandardCharsets.UTF_8),
        raw.topic,
        raw.partition,
        raw.offset,
        raw.key,
        raw.value,
        kind,
        reason,
        now);
  }

  /**
   * A decoded record refused later in the job (its bytes are not kept; the source coordinates find
   * it), e.g. a late sample of an erased subject. Unknown coordinates are "" and -1.
   */
  public static KafkaOut invalid(
      String key, String sourceTopic, int partition, long offset, String reason, Instant now) {
    return build(
        key, sourceTopic, partition, offset, null, null, DeadLetterKind.INVALID, reason, now);
  }

  private static KafkaOut build(
      String key,
      String sourceTopic,
      int partition,
      long offset,
      byte[] keyBytes,
      byte[] valueBytes,
      DeadLetterKind kind,
      String reason,
      Instant now) {
    String topic = sourceTopic == null ? "" : sourceTopic;
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic(topic)
            .setSourcePartition(partition)
            .setSourceOffset(offset)
            .setKind(kind)
            .setReason(reason)
            .setComponent(COMPONENT)
            .setKey(keyBytes == null ? null : ByteBuffer.wrap(keyBytes))
            .setValue(valueBytes == null ? null : ByteBuffer.wrap(valueBytes))
            .setRejectedAt(now)
            .build();
    KafkaOut out = KafkaOut.of(KafkaOut.Kind.DEAD_LETTER, key, AvroBytes.encode(letter));
    out.reason = reason;
    out.sourceTopic = topic;
    out.sourcePartition = partition;
    out.sourceOffset = offset;
    return out;
  }
}
