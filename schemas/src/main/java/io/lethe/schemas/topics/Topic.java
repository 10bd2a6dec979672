package io.lethe.schemas.topics;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values: the one typed handle every producer,
 * consumer, Flink source and Kafka Streams topology uses for it.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  /** Checks that every part is present and the name is a legal Kafka topic name. */
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    TopicNames.requireLegal("topic", name);
  }
}
