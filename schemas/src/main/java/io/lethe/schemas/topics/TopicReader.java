package io.lethe.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a whole topic as it stands: every record up to the end offsets taken when reading starts
 * (the last stable offsets for a {@code read_committed} consumer). For checks and reports that must
 * see everything written so far, not wait for a count.
 */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Every record of {@code topic} up to its current end, with the topic's serdes.
   *
   * @param consumerProperties the consumer's configuration (bootstrap servers, isolation level,
   *     ...); no group is needed, the partitions are assigned
   * @throws IllegalStateException if the end is not reached within {@code bound}
   */
  public static <K, V> List<ConsumerRecord<K, V>> readToEnd(
      Properties consumerProperties, Topic<K, V> topic, Duration bound) {
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(
            consumerProperties,
            topic.keySerde().deserializer(),
            topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + bound.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic.name() + " to its end " + end + " within " + bound);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }
}
