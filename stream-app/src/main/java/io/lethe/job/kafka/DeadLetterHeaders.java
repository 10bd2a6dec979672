package io.lethe.job.kafka;

/** Kafka header names on dead letters, so a consumer can triage without decoding the envelope. */
public final class DeadLetterHeaders {
  /** Why the record was rejected (UTF-8 text). */
  public static final String REASON = "lethe.dlq.reason";

  /** Topic the rejected record was read from. */
  public static final String TOPIC = "lethe.dlq.topic";

  /** Partition it was read from (decimal text). */
  public static final String PARTITION = "lethe.dlq.partition";

  /** Offset it was read from (decimal text). */
  public static final String OFFSET = "lethe.dlq.offset";

  /** Which component rejected it. */
  public static final String COMPONENT = "lethe.dlq.component";

  private DeadLetterHeaders() {}
}
