package io.lethe.local.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns {@link StoreEvent}s into the key and value JSON that Confluent's registry writes to its
 * {@code _schemas} topic, and back.
 *
 * <p>Keys are written with a fixed field order, because compaction keeps the last record per key by
 * comparing key bytes.
 */
final class StoreRecordCodec {

  /** One Kafka record's key and value bytes; a null value is a tombstone. */
  record KeyValue(byte[] key, byte[] value) {}

  /** A record that does not have the layout this registry writes. */
  static final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ObjectMapper json = new ObjectMapper();

  KeyValue encode(StoreEvent event) {
    if (event instanceof StoreEvent.SchemaWritten written) {
      SchemaEntry entry = written.entry();
      ObjectNode value =
          json.createObjectNode()
              .put("subject", entry.subject())
              .put("version", entry.version())
              .put("id", entry.id())
              .put("schema", entry.schema())
              .put("deleted", entry.deleted());
      return new KeyValue(schemaKey(entry.subject(), entry.version()), bytes(value));
    }
    if (event instanceof StoreEvent.SchemaErased erased) {
      return new KeyValue(schemaKey(erased.subject(), erased.version()), null);
    }
    if (event instanceof StoreEvent.ConfigWritten config) {
      ObjectNode value = json.createObjectNode().put("compatibilityLevel", config.level().name());
      return new KeyValue(configKey(config.subject()), bytes(value));
    }
    if (event instanceof StoreEvent.ConfigErased config) {
      return new KeyValue(configKey(config.subject()), null);
    }
    throw new IllegalArgumentException("unknown store event " + event);
  }

  /**
   * The event a record stands for, or empty for a well-formed record of a kind this registry does
   * not use (Confluent also writes NOOP, MODE and other key types).
   *
   * @throws MalformedRecordException if the record is not valid JSON of the expected layout
   */
  Optional<StoreEvent> decode(byte[] keyBytes, byte[] valueBytes) {
    JsonNode key = parse(keyBytes, "key");
    if (key == null || !key.isObject()) {
      throw new MalformedRecordException("key is not a JSON object", null);
    }
    String keyType = text(key, "keytype", "key", true);
    switch (keyType) {
      case "SCHEMA":
        {
          String subject = text(key, "subject", "key", true);
          int version = integer(key, "version", "key");
          if (valueBytes == null) {
            return Optional.of(new StoreEvent.SchemaErased(subject, version));
          }
          JsonNode value = parse(valueBytes, "value");
          JsonNode deleted = value.get("deleted");
          SchemaEntry entry =
              new SchemaEntry(
                  subject,
                  version,
                  integer(value, "id", "value"),
                  text(value, "schema", "value", true),
                  deleted != null && deleted.asBoolean(false));
          return Optional.of(new StoreEvent.SchemaWritten(entry));
        }
      case "CONFIG":
        {
          String subject = text(key, "subject", "key", false);
          if (valueBytes == null) {
            return Optional.of(new StoreEvent.ConfigErased(subject));
          }
          JsonNode value = parse(valueBytes, "value");
          String levelName = text(value, "compatibilityLevel", "value", true);
          CompatibilityLevel level =
              CompatibilityLevel.parse(levelName)
                  .orElseThrow(
                      () ->
                          new MalformedRecordException(
                              "unknown compatibilityLevel '" + levelName + "'", null));
          return Optional.of(new StoreEvent.ConfigWritten(subject, level));
        }
      default:
        return Optional.empty();
    }
  }

  private byte[] schemaKey(String subject, int version) {
    ObjectNode key =
        json.createObjectNode()
            .put("keytype", "SCHEMA")
            .put("subject", subject)
            .put("version", version)
            .put("magic", 1);
    return bytes(key);
  }

  private byte[] configKey(String subjectOrNull) {
    ObjectNode key = json.createObjectNode().put("keytype", "CONFIG");
    if (subjectOrNull == null) {
      key.putNull("subject");
    } else {
      key.put("subject", subjectOrNull);
    }
    key.put("magic", 0);
    return bytes(key);
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + node, e);
    }
  }

  private JsonNode parse(byte[] bytes, String part) {
    if (bytes == null) {
      throw new MalformedRecordException(part + " is null", null);
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new MalformedRecordException(part + " is not a JSON object", null);
      }
      return node;
    } catch (IOException e) {
      throw new MalformedRecordException(part + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String field, String part, boolean required) {
    JsonNode value = node.get(field);
    if (value != null && value.isTextual()) {
      return value.textValue();
    }
    if (!required && (value == null || value.isNull())) {
      return null;
    }
    throw new MalformedRecordException(part + " has no string field '" + field + "'", null);
  }

  private static int integer(JsonNode node, String field, String part) {
    JsonNode value = node.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new MalformedRecordException(part + " has no integer field '" + field + "'", null);
    }
    return value.intValue();
  }
}
