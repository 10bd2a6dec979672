package io.lethe.job.kafka;

import io.lethe.job.events.KafkaOut;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.ConfluentWireFormat;
import io.lethe.schemas.serde.SubjectNames;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.validation.DeadLetterHeaders;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns the job's {@link KafkaOut}s into Kafka records: picks the topic for the output's kind,
 * prefixes the Avro bytes with the Confluent header (registering each value schema once, at open),
 * and adds the shared dead-letter headers ({@link DeadLetterHeaders}).
 */
public final class OutputSerializer implements KafkaRecordSerializationSchema<KafkaOut> {
  private static final long serialVersionUID = 1L;

  private final RegistryConnection registry;
  private final Map<KafkaOut.Kind, String> topics = new EnumMap<>(KafkaOut.Kind.class);
  private transient Map<KafkaOut.Kind, byte[]> headers;

  /** Writes to the topics in {@code names}, registering schemas at {@code registry}. */
  public OutputSerializer(RegistryConnection registry, TopicNames names) {
    this.registry = registry;
    topics.put(KafkaOut.Kind.DEAD_LETTER, names.deadLetter());
    topics.put(KafkaOut.Kind.ERASURE_AFFECTED, names.erasuresAffected());
    topics.put(KafkaOut.Kind.ERASURE_APPLIED, names.erasuresApplied());
    topics.put(KafkaOut.Kind.MODEL_SNAPSHOT, names.models());
    topics.put(KafkaOut.Kind.LEARNER_HEARTBEAT, names.learnerStatus());
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
    headers = new EnumMap<>(KafkaOut.Kind.class);
    try (SchemaRegistryClient client = registry.open()) {
      register(client, KafkaOut.Kind.DEAD_LETTER, DeadLetter.getClassSchema());
      register(client, KafkaOut.Kind.ERASURE_AFFECTED, ErasureAffected.getClassSchema());
      register(client, KafkaOut.Kind.ERASURE_APPLIED, ErasureApplied.getClassSchema());
      register(client, KafkaOut.Kind.MODEL_SNAPSHOT, ModelSnapshot.getClassSchema());
      register(client, KafkaOut.Kind.LEARNER_HEARTBEAT, LearnerHeartbeat.getClassSchema());
    }
  }

  private void register(SchemaRegistryClient registry, KafkaOut.Kind kind, Schema schema) {
    int id = registry.register(SubjectNames.forTopic(topics.get(kind), false), schema);
    headers.put(
        kind,
        ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE)
            .put(ConfluentWireFormat.MAGIC_BYTE)
            .putInt(id)
            .array());
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      KafkaOut out, KafkaSinkContext context, Long timestamp) {
    byte[] header = headers.get(out.kind);
    byte[] value = new byte[header.length + out.avro.length];
    System.arraycopy(header, 0, value, 0, header.length);
    System.arraycopy(out.avro, 0, value, header.length, out.avro.length);
    return new ProducerRecord<>(
        topics.get(out.kind), null, timestamp, out.keyBytes(), value, headersOf(out));
  }

  /**
   * The Kafka headers of {@code out}: for a dead letter exactly {@link DeadLetterHeaders#of}'s,
   * read from its envelope (decoding the few dead letters costs less than carrying their headers
   * through every exchange, and cannot disagree with the envelope); none for other outputs.
   */
  public static Headers headersOf(KafkaOut out) {
    if (out.kind != KafkaOut.Kind.DEAD_LETTER) {
      return new RecordHeaders();
    }
    return DeadLetterHeaders.of(AvroBytes.decode(out.avro, DeadLetter.class));
  }
}
