package io.lethe.job.events;

import java.util.Objects;

/**
 * A Kafka record exactly as read: bytes plus where it came from, so a record that cannot be decoded
 * can still be dead-lettered with its source coordinates. A Flink POJO.
 */
public final class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public long timestamp;
  public byte[] key;
  public byte[] value;

  /** For Flink's POJO serializer. */
  public RawRecord() {}

  /** A record read from {@code topic}/{@code partition} at {@code offset}. */
  public RawRecord(
      String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }

  /** {@code topic-partition@offset}, for messages. */
  public String coordinates() {
    return topic + "-" + partition + "@" + offset;
  }

  @Override
  public String toString() {
    return "RawRecord[" + coordinates() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r
        && topic.equals(r.topic)
        && partition == r.partition
        && offset == r.offset;
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }
}
