package io.lethe.job.events;

import java.nio.charset.StandardCharsets;

/**
 * One record the job publishes: which output it is, the key, and the value as plain Avro binary (no
 * registry framing yet). The job's single exactly-once Kafka sink maps the kind to a topic and adds
 * the Confluent header, so operators stay testable without a schema registry. A Flink POJO.
 */
public final class KafkaOut {
  /** The job's outputs; each goes to one topic with one value type. */
  public enum Kind {
    /** {@code DeadLetter} on the dead-letter topic. */
    DEAD_LETTER,
    /** {@code ErasureAffected} on the affected topic. */
    ERASURE_AFFECTED,
    /** {@code ErasureApplied} on the applied topic. */
    ERASURE_APPLIED,
    /** {@code ModelSnapshot} on the models topic. */
    MODEL_SNAPSHOT,
    /** {@code LearnerHeartbeat} on the learner status topic. */
    LEARNER_HEARTBEAT
  }

  public Kind kind;
  public String key;

  /**
   * The value as Avro binary of the kind's record type. A dead letter's headers are derived from
   * its envelope when it is written, so they cannot disagree with it.
   */
  public byte[] avro;

  /** For Flink's POJO serializer. */
  public KafkaOut() {}

  /** An output of {@code kind} with the given key and Avro value bytes. */
  public static KafkaOut of(Kind kind, String key, byte[] avro) {
    KafkaOut out = new KafkaOut();
    out.kind = kind;
    out.key = key;
    out.avro = avro;
    return out;
  }

  /** The key as UTF-8 bytes (null key stays null). */
  public byte[] keyBytes() {
    return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "KafkaOut[" + kind + " " + key + "]";
  }
}
