package io.lethe.schemas.serde;

import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer reading Confluent-framed Avro into one generated record class, resolving the
 * writer's schema by id from the registry (cached) and the record class's schema as reader schema.
 *
 * <p>Every kind of bad input (short payload, wrong magic byte, unknown schema id, a schema of
 * another record type, truncated or trailing bytes) raises {@link WireFormatException}. A registry
 * that cannot be reached raises {@link RegistryException}, since the bytes may well be valid.
 * Thread-safe.
 *
 * <p>{@link TrainingSample}s written with the reader's own schema, the common case, are read by
 * {@link TrainingSampleReader}, which does not box their features; every other writer schema and
 * record type goes through Avro's {@link SpecificDatumReader}.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private static final int SCHEMA_NOT_FOUND = 40403;

  private final Map<Integer, DatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
  private Class<T> type;
  private Schema readerSchema;
  private DatumReader<T> sameSchemaReader;
  private SchemaRegistryClient registry;
  private boolean ownsRegistry;

  /** For Kafka to create from configuration ({@link AvroSerdeConfig#RECORD_TYPE} is required). */
  public SpecificAvroDeserializer() {}

  /**
   * A deserializer into {@code type} sharing {@code registry} (not closed by this deserializer).
   */
  public SpecificAvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    setType(type);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (type == null) {
      setType((Class<T>) AvroSerdeConfig.recordType(configs));
    }
    if (registry == null) {
      registry = AvroSerdeConfig.registryClient(configs);
      ownsRegistry = true;
    }
  }

  private void setType(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    if (!SpecificRecord.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(type.getName() + " is not a generated Avro record class");
    }
    this.readerSchema = SpecificData.get().getSchema(type);
    this.sameSchemaReader = sameSchemaReader(type);
  }

  @SuppressWarnings("unchecked")
  private static <T> DatumReader<T> sameSchemaReader(Class<T> type) {
    return type == TrainingSample.class ? (DatumReader<T>) new TrainingSampleReader() : null;
  }

  @Override
  public T deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null; // a tombstone on a compacted topic
    }
    if (registry == null) {
      throw new IllegalStateException("deserializer used before configure(): no schema registry");
    }
    int schemaId = ConfluentWireFormat.readSchemaId(topic, payload);
    DatumReader<T> reader = readerFor(topic, schemaId);
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                payload,
                ConfluentWireFormat.HEADER_SIZE,
                payload.length - ConfluentWireFormat.HEADER_SIZE,
                null);
    T record;
    try {
      record = reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new WireFormatException(
          topic,
          "payload after the header is truncated or corrupt for schema id "
              + schemaId
              + " ("
              + readerSchema.getFullName()
              + "): "
              + e,
          e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new WireFormatException(
            topic,
            "bytes left over after decoding "
                + readerSchema.getFullName()
                + " with schema id "
                + schemaId);
      }
    } catch (IOException e) {
      throw new WireFormatException(topic, "cannot check for trailing bytes: " + e, e);
    }
    return record;
  }

  private DatumReader<T> readerFor(String topic, int schemaId) {
    DatumReader<T> cached = readersByWriterId.get(schemaId);
    if (cached != null) {
      return cached;
    }
    Schema writerSchema;
    try {
      writerSchema = registry.getSchemaById(schemaId);
    } catch (RegistryException e) {
      if (e.errorCode() == SCHEMA_NOT_FOUND) {
        throw new WireFormatException(
            topic, "schema id " + schemaId + " is not known to the schema registry", e);
      }
      throw e;
    }
    if (writerSchema.getType() != Schema.Type.RECORD
        || !(writerSchema.getFullName().equals(readerSchema.getFullName())
            || readerSchema.getAliases().contains(writerSchema.getFullName()))) {
      throw new WireFormatException(
          topic,
          "schema id "
              + schemaId
              + " is "
              + describe(writerSchema)
              + ", expected "
              + readerSchema.getFullName());
    }
    DatumReader<T> reader =
        sameSchemaReader != null && writerSchema.equals(readerSchema)
            ? sameSchemaReader
            : new SpecificDatumReader<>(writerSchema, readerSchema);
    readersByWriterId.putIfAbsent(schemaId, reader);
    return reader;
  }

  private static String describe(Schema schema) {
    return switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> schema.getType().getName() + " " + schema.getFullName();
      default -> "a " + schema.getType().getName() + " schema";
    };
  }

  /** The record class this deserializer produces. */
  public Class<T> type() {
    return type;
  }

  @Override
  public void close() {
    if (ownsRegistry && registry != null) {
      registry.close();
    }
  }
}
