package io.lethe.job.decode;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Builds the job's dead letters for raw records it could not accept. */
final class DeadLetters {
  static final String COMPONENT = "learner-job";

  private DeadLetters() {}

  static KafkaOut of(RawRecord raw, DeadLetterKind kind, String reason, Instant now) {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic(raw.topic)
            .setSourcePartition(raw.partition)
            .setSourceOffset(raw.offset)
            .setKind(kind)
            .setReason(reason)
            .setComponent(COMPONENT)
            .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
            .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
            .setRejectedAt(now)
            .build();
    String key = raw.key == null ? null : new String(raw.key, StandardCharsets.UTF_8);
    KafkaOut out = KafkaOut.of(KafkaOut.Kind.DEAD_LETTER, key, AvroBytes.encode(letter));
    out.reason = reason;
    out.sourceTopic = raw.topic;
    out.sourcePartition = raw.partition;
    out.sourceOffset = raw.offset;
    return out;
  }
}
