package io.lethe.schemas.serde;

import io.lethe.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Factory for Confluent-Avro {@link Serde}s of Lethe's generated records. */
public final class AvroSerdes {
  private AvroSerdes() {}

  /**
   * A value serde for {@code type} that registers its schema on first use and shares {@code
   * registry}.
   */
  public static <T extends SpecificRecord> Serde<T> forValues(
      Class<T> type, SchemaRegistryClient registry) {
    return Serdes.serdeFrom(
        new SpecificAvroSerializer<>(registry, true, false),
        new SpecificAvroDeserializer<>(type, registry));
  }

  /** A key serde for {@code type}, registering under {@code <topic>-key}. */
  public static <T extends SpecificRecord> Serde<T> forKeys(
      Class<T> type, SchemaRegistryClient registry) {
    return Serdes.serdeFrom(
        new SpecificAvroSerializer<>(registry, true, true),
        new SpecificAvroDeserializer<>(type, registry));
  }
}
