package io.lethe.ingress.receipts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde for the ingress's internal records (state store values and its repartition topic).
 *
 * <p>Internal data is not Avro on purpose: it never leaves the application, needs no registry
 * round-trip, and stays readable when an operator dumps a changelog. Unknown fields are ignored so
 * a newer version can add fields.
 *
 * @param <T> a Java record type
 */
public final class JsonSerde<T> implements Serde<T> {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Class<T> type;

  /** A serde for {@code type}. */
  public JsonSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        return JSON.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON", e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return JSON.readValue(bytes, type);
      } catch (IOException e) {
        throw new SerializationException(
            "internal topic " + topic + " holds a record that is not a " + type.getSimpleName(), e);
      }
    };
  }
}
