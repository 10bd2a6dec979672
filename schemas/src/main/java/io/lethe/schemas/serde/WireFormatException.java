package io.lethe.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes on a topic that are not a valid Confluent-framed Avro record of the expected type, or a
 * record that cannot be framed for a topic.
 *
 * <p>This is the one exception the serdes raise for bad input, so callers can dead-letter exactly
 * these records. It extends Kafka's {@link SerializationException} so Kafka Streams' and Flink's
 * deserialization error handling recognises it. A registry that cannot be reached is a different
 * failure ({@link io.lethe.schemas.registry.RegistryException}): the bytes may be fine.
 */
public final class WireFormatException extends SerializationException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String problem;

  WireFormatException(String topic, String problem) {
    this(topic, problem, null);
  }

  WireFormatException(String topic, String problem, Throwable cause) {
    super("Record on topic '" + topic + "' is not valid Confluent Avro: " + problem, cause);
    this.topic = topic;
    this.problem = problem;
  }

  /** The topic the bad bytes were read from or meant for. */
  public String topic() {
    return topic;
  }

  /** What was wrong, without the topic prefix, e.g. "unknown magic byte 0x7b". */
  public String problem() {
    return problem;
  }
}
