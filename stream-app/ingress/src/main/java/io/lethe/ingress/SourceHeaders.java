package io.lethe.ingress;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers that carry a raw record's source position and key across the ingress's own repartition
 * topics, so a record refused after a repartition is still dead-lettered with where it came from.
 * They are internal: set before a repartition (any copies a producer sent are replaced) and removed
 * before the record leaves the ingress.
 */
final class SourceHeaders {
  static final String TOPIC = "lethe.ingress.source.topic";
  static final String PARTITION = "lethe.ingress.source.partition";
  static final String OFFSET = "lethe.ingress.source.offset";
  static final String KEY = "lethe.ingress.source.key";

  private SourceHeaders() {}

  /** Sets the position and the original key on {@code headers}, replacing any copies. */
  static Headers put(Headers headers, SourcePosition source, byte[] key) {
    strip(headers);
    headers.add(TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(source.partition()).array());
    headers.add(OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(source.offset()).array());
    if (key != null) {
      headers.add(KEY, key);
    }
    return headers;
  }

  /** The position set by {@link #put}, or {@code fallback} if the headers do not hold one. */
  static SourcePosition position(Headers headers, SourcePosition fallback) {
    Header topic = headers.lastHeader(TOPIC);
    Header partition = headers.lastHeader(PARTITION);
    Header offset = headers.lastHeader(OFFSET);
    if (topic == null
        || partition == null
        || offset == null
        || partition.value().length != Integer.BYTES
        || offset.value().length != Long.BYTES) {
      return fallback;
    }
    return new SourcePosition(
        new String(topic.value(), StandardCharsets.UTF_8),
        ByteBuffer.wrap(partition.value()).getInt(),
        ByteBuffer.wrap(offset.value()).getLong());
  }

  /** The original key set by {@link #put}, or null. */
  static byte[] key(Headers headers) {
    Header key = headers.lastHeader(KEY);
    return key == null ? null : key.value();
  }

  /** Removes every header this class sets; returns {@code headers}. */
  static Headers strip(Headers headers) {
    headers.remove(TOPIC);
    headers.remove(PARTITION);
    headers.remove(OFFSET);
    headers.remove(KEY);
    return headers;
  }
}
