package io.lethe.schemas.serde;

import io.lethe.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing generated Avro records in the Confluent wire format, registering (or
 * looking up) the record's schema under {@code <topic>-key} / {@code <topic>-value}.
 *
 * <p>Records are encoded by {@link BulkFloatDatumWriter} (features in bulk, the same bytes as
 * Avro's writer). The schema id of the last (topic, schema instance) is remembered: records of one
 * class share their class's schema instance, so only a new topic or schema asks the registry
 * client, whose cache renders the schema as JSON to look it up, which would cost more than writing
 * the record (docs/benchmarks.md#sample-serializer).
 *
 * <p>Thread-safe: Kafka producers may call it from several threads.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
  private volatile SchemaId lastSchemaId;
  private volatile int lastSize = 256;
  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private boolean autoRegister;
  private boolean isKey;

  /** For Kafka to create from configuration; {@link #configure} supplies the registry. */
  public SpecificAvroSerializer() {}

  /**
   * A serializer sharing {@code registry} (not closed by this serializer).
   *
   * @param autoRegister register the schema if the subject lacks it; otherwise only look it up
   * @param isKey whether this serializes keys ({@code -key} subjects) or values
   */
  public SpecificAvroSerializer(
      SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.autoRegister = autoRegister;
    this.isKey = isKey;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    lastSchemaId = null; // its subject was named for keys or values
    if (registry == null) {
      registry = AvroSerdeConfig.registryClient(configs);
      ownsRegistry = true;
      autoRegister = AvroSerdeConfig.autoRegister(configs);
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("serializer used before configure(): no schema registry");
    }
    Schema schema = record.getSchema();
    int schemaId = schemaId(topic, schema);

    // sized like the previous record, so that a stream of similar records is not grown and copied
    ByteArrayOutputStream out = new ByteArrayOutputStream(lastSize);
    ByteBuffer header = ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE);
    ConfluentWireFormat.writeHeader(header, schemaId);
    out.writeBytes(header.array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writers.computeIfAbsent(schema, BulkFloatDatumWriter::new).write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new WireFormatException(
          topic, "cannot encode " + schema.getFullName() + ": " + e.getMessage(), e);
    }
    lastSize = out.size();
    return out.toByteArray();
  }

  private int schemaId(String topic, Schema schema) {
    SchemaId last = lastSchemaId;
    if (last != null && last.schema() == schema && last.topic().equals(topic)) {
      return last.id();
    }
    String subject = SubjectNames.forTopic(topic, isKey);
    int id =
        autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
    lastSchemaId = new SchemaId(topic, schema, id);
    return id;
  }

  /** A schema id, by topic and schema instance (compared by identity). */
  private record SchemaId(String topic, Schema schema, int id) {}

  @Override
  public void close() {
    if (ownsRegistry && registry != null) {
      registry.close();
    }
  }
}
