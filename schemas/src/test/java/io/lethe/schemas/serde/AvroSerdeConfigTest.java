package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.TrainingSample;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Serdes created from Kafka configuration fail at start-up with a message naming the key. */
class AvroSerdeConfigTest {
  @Test
  void shouldRequireTheRegistryUrl() {
    var serializer = new SpecificAvroSerializer<TrainingSample>();
    assertThatThrownBy(() -> serializer.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void shouldRejectAutoRegisterThatIsNotABoolean() {
    var serializer = new SpecificAvroSerializer<TrainingSample>();
    assertThatThrownBy(
            () ->
                serializer.configure(
                    Map.of(
                        "schema.registry.url",
                        "http://localhost:8081",
                        "auto.register.schemas",
                        "yes"),
                    false))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value yes for configuration auto.register.schemas: expected true or false");
  }

  @Test
  void shouldRequireTheRecordTypeForADeserializerMadeFromConfig() {
    var deserializer = new SpecificAvroDeserializer<TrainingSample>();
    assertThatThrownBy(
            () ->
                deserializer.configure(
                    Map.of("schema.registry.url", "http://localhost:8081"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lethe.avro.record.type");
  }

  @Test
  void shouldRejectAnUnknownRecordType() {
    var deserializer = new SpecificAvroDeserializer<TrainingSample>();
    assertThatThrownBy(
            () ->
                deserializer.configure(
                    Map.of(
                        "schema.registry.url", "http://localhost:8081",
                        "lethe.avro.record.type", "io.lethe.records.NoSuchRecord"),
                    false))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value io.lethe.records.NoSuchRecord for configuration lethe.avro.record.type:"
                + " no such class on the class path");
  }
}
