package io.lethe.validation;

import io.lethe.records.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka header names on every dead letter Lethe writes (ingress and learner job alike), so
 * operators can filter and route dead letters without decoding the Avro envelope. Values are UTF-8
 * text and repeat the envelope's fields (see docs/dead-letters.md).
 */
public final class DeadLetterHeaders {
  /** Why the record was rejected, the same text as {@link DeadLetter#getReason()}. */
  public static final String REASON = "lethe.dlq.reason";

  /** Short machine-readable reason code, e.g. {@code wrong-feature-count}; also a metric tag. */
  public static final String REASON_CODE = "lethe.dlq.reason.code";

  /** {@code MALFORMED} or {@code INVALID}. */
  public static final String KIND = "lethe.dlq.kind";

  /** Topic the rejected record was read from. */
  public static final String TOPIC = "lethe.dlq.topic";

  /** Partition it was read from, in decimal. */
  public static final String PARTITION = "lethe.dlq.partition";

  /** Offset it was read from, in decimal. */
  public static final String OFFSET = "lethe.dlq.offset";

  /** Which part of Lethe rejected it: {@code ingress} or {@code learner-job}. */
  public static final String COMPONENT = "lethe.dlq.component";

  /** Size of the original record (key plus value bytes) in decimal, -1 if not known. */
  public static final String SIZE = "lethe.dlq.size";

  /** {@code true} when the envelope carries only the first bytes of the original. */
  public static final String TRUNCATED = "lethe.dlq.truncated";

  private DeadLetterHeaders() {}

  /** The headers describing {@code letter}. */
  public static Headers of(DeadLetter letter) {
    Headers headers = new RecordHeaders();
    put(headers, REASON, letter.getReason());
    put(headers, REASON_CODE, letter.getReasonCode());
    put(headers, KIND, letter.getKind().name());
    put(headers, TOPIC, letter.getSourceTopic());
    put(headers, PARTITION, String.valueOf(letter.getSourcePartition()));
    put(headers, OFFSET, String.valueOf(letter.getSourceOffset()));
    put(headers, COMPONENT, letter.getComponent());
    put(headers, SIZE, String.valueOf(letter.getOriginalSize()));
    put(headers, TRUNCATED, String.valueOf(letter.getTruncated()));
    return headers;
  }

  /** The text of the last header named {@code name}, or null. */
  public static String text(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
