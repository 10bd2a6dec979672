package io.lethe.schemas.serde;

import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration keys the Avro serdes read when Kafka creates them from class names; the registry
 * keys are Confluent's, so existing client configurations work unchanged.
 */
final class AvroSerdeConfig {
  /** Base URL of a Confluent-compatible schema registry, e.g. {@code http://localhost:8081}. */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  /** Whether the serializer registers its schema (default true) or only looks it up. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /** Fully qualified name of the generated record class a deserializer produces. */
  public static final String RECORD_TYPE = "lethe.avro.record.type";

  private AvroSerdeConfig() {}

  static SchemaRegistryClient registryClient(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(
          SCHEMA_REGISTRY_URL, url, "the schema registry URL is required, e.g. http://host:8081");
    }
    try {
      return new SchemaRegistryClient(RegistryClientSettings.of(url.toString()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(SCHEMA_REGISTRY_URL, url, e.getMessage());
    }
  }

  static boolean autoRegister(Map<String, ?> configs) {
    Object value = configs.get(AUTO_REGISTER_SCHEMAS);
    if (value == null) {
      return true;
    }
    String text = value.toString().trim();
    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
      throw new ConfigException(AUTO_REGISTER_SCHEMAS, value, "expected true or false");
    }
    return Boolean.parseBoolean(text);
  }

  static Class<?> recordType(Map<String, ?> configs) {
    Object value = configs.get(RECORD_TYPE);
    if (value instanceof Class<?> type) {
      return type;
    }
    if (value == null || value.toString().isBlank()) {
      throw new ConfigException(
          RECORD_TYPE,
          value,
          "name the generated Avro class to decode into, e.g. io.lethe.records.TrainingSample");
    }
    try {
      return Class.forName(value.toString().trim(), true, AvroSerdeConfig.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConfigException(RECORD_TYPE, value, "no such class on the class path");
    }
  }
}
