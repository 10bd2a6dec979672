package io.lethe.validation;

import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Builds the one dead-letter envelope that the ingress and the learner job both write: kind, reason
 * code, message, the component, source coordinates, and the original key and value bytes, or their
 * first {@link #PREFIX_BYTES} bytes when the original is larger than the writer may carry. The
 * headers of a dead letter come from {@link DeadLetterHeaders#of(DeadLetter)}.
 */
public final class DeadLetterEnvelope {
  /**
   * How many bytes of key and of value a truncated dead letter keeps: enough to see which record it
   * was, small enough for any producer and topic.
   */
  public static final int PREFIX_BYTES = 16 * 1024;

  /**
   * Room a dead letter needs beyond the original bytes it carries: the envelope's own fields and
   * its headers. A component that carries originals of up to {@code n} bytes needs producers and
   * topics that take {@code n + OVERHEAD_BYTES}.
   */
  public static final int OVERHEAD_BYTES = 64 * 1024;

  /** Longest reason kept; longer messages (e.g. a library's) are cut with an ellipsis. */
  public static final int MAX_REASON_CHARS = 1_000;

  private DeadLetterEnvelope() {}

  /** Where a refused record was read from: topic, partition and offset ("" and -1 if unknown). */
  public record Source(String topic, int partition, long offset) {
    /** Checks the topic is present. */
    public Source {
      Objects.requireNonNull(topic, "topic");
    }

    /** An unknown position. */
    public static Source unknown() {
      return new Source("", -1, -1);
    }

    @Override
    public String toString() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  /**
   * The dead letter of a record read at {@code source}.
   *
   * @param component which part of Lethe refused it, e.g. {@code ingress}
   * @param key the original key bytes, or null
   * @param value the original value bytes, or null when not at hand
   * @param originalSize key plus value bytes of the original, or -1 when not known
   * @param maxCarriedBytes the largest original (key plus value) carried whole; larger originals
   *     keep their first {@link #PREFIX_BYTES} bytes of key and of value
   */
  public static DeadLetter of(
      String component,
      Source source,
      DeadLetterKind kind,
      Rejection rejection,
      byte[] key,
      byte[] value,
      long originalSize,
      int maxCarriedBytes,
      Instant rejectedAt) {
    long carried = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    boolean truncate = carried > maxCarriedBytes;
    return DeadLetter.newBuilder()
        .setSourceTopic(source.topic())
        .setSourcePartition(source.partition())
        .setSourceOffset(source.offset())
        .setKind(kind)
        .setReason(bounded(rejection.message()))
        .setReasonCode(rejection.code())
        .setComponent(component)
        .setKey(bytes(key, truncate))
        .setValue(bytes(value, truncate))
        .setOriginalSize(originalSize)
        .setTruncated(truncate)
        .setRejectedAt(rejectedAt)
        .build();
  }

  /** Size of a record as every limit counts it: key plus value bytes. */
  public static int sizeOf(byte[] key, byte[] value) {
    return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
  }

  /** {@code text} cut to {@link #MAX_REASON_CHARS} characters. */
  public static String bounded(String text) {
    return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS - 1) + "…";
  }

  private static ByteBuffer bytes(byte[] original, boolean truncate) {
    if (original == null) {
      return null;
    }
    return ByteBuffer.wrap(
        truncate && original.length > PREFIX_BYTES
            ? Arrays.copyOf(original, PREFIX_BYTES)
            : original);
  }
}
