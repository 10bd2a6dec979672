package io.lethe.ingress;

import io.lethe.validation.DeadLetterEnvelope;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a raw record was read from, for dead letters and messages.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 */
record SourcePosition(String topic, int partition, long offset) {
  /** The position of the record {@code context} is processing. */
  static SourcePosition of(ProcessorContext<?, ?> context) {
    RecordMetadata meta =
        context
            .recordMetadata()
            .orElseThrow(() -> new IllegalStateException("intake runs only on source records"));
    return new SourcePosition(meta.topic(), meta.partition(), meta.offset());
  }

  /** The same position as a dead letter's source. */
  DeadLetterEnvelope.Source asSource() {
    return new DeadLetterEnvelope.Source(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
