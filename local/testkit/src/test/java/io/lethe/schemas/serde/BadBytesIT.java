package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.ErasureRequest;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.testing.KafkaExtension;
import io.lethe.testing.TestRecords;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each kind of bad bytes raises {@link WireFormatException} naming the topic and the problem. */
class BadBytesIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  private static final String TOPIC = "lethe.samples";

  private SchemaRegistryClient readerClient;
  private SpecificAvroDeserializer<TrainingSample> deserializer;
  private byte[] validSample;

  @BeforeEach
  void setUp() {
    readerClient = kafka.newRegistryClient();
    deserializer = new SpecificAvroDeserializer<>(TrainingSample.class, readerClient);
    validSample =
        new SpecificAvroSerializer<TrainingSample>(kafka.registryClient(), true, false)
            .serialize(TOPIC, TestRecords.trainingSample("s-1", "subject-1"));
  }

  @AfterEach
  void tearDown() {
    readerClient.close();
  }

  @Test
  void shouldDecodeTheValidPayloadTheOtherCasesStartFrom() {
    assertThat(deserializer.deserialize(TOPIC, validSample))
        .isEqualTo(TestRecords.trainingSample("s-1", "subject-1"));
  }

  @Test
  void shouldRejectWrongMagicByte() {
    byte[] json = "{\"sampleId\":\"s-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, json))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: unknown magic byte 0x7b"
                + " (expected 0x00): not Confluent-framed Avro");
  }

  @Test
  void shouldRejectPayloadShorterThanTheHeader() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0}))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: payload of 3 bytes is"
                + " shorter than the 5-byte header (magic byte + schema id)");
  }

  @Test
  void shouldRejectUnknownSchemaId() {
    byte[] unknownId = validSample.clone();
    ByteBuffer.wrap(unknownId).putInt(1, 987_654);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknownId))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: schema id 987654 is not"
                + " known to the schema registry");
  }

  @Test
  void shouldRejectTruncatedPayload() {
    byte[] truncated = Arrays.copyOf(validSample, validSample.length - 9);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, truncated))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessageStartingWith(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: payload after the header"
                + " is truncated or corrupt for schema id ");
  }

  @Test
  void shouldRejectTrailingBytes() {
    byte[] padded = Arrays.copyOf(validSample, validSample.length + 4);
    int id = ByteBuffer.wrap(validSample, 1, 4).getInt();
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, padded))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: bytes left over after"
                + " decoding io.lethe.records.TrainingSample with schema id "
                + id);
  }

  @Test
  void shouldRejectRecordWrittenWithTheSchemaOfAnotherType() {
    byte[] erasure =
        new SpecificAvroSerializer<ErasureRequest>(kafka.registryClient(), true, false)
            .serialize("lethe.erasures", TestRecords.erasureRequest("req-1", "subject-1"));
    int id = ByteBuffer.wrap(erasure, 1, 4).getInt();
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, erasure))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: schema id "
                + id
                + " is record io.lethe.records.ErasureRequest, expected"
                + " io.lethe.records.TrainingSample");
  }

  @Test
  void shouldRejectSchemaIdOfANonRecordSchema() {
    int stringId =
        kafka.registryClient().register("plain-strings-value", Schema.create(Schema.Type.STRING));
    byte[] payload = validSample.clone();
    ByteBuffer.wrap(payload).putInt(1, stringId);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, payload))
        .isExactlyInstanceOf(WireFormatException.class)
        .hasMessage(
            "Record on topic 'lethe.samples' is not valid Confluent Avro: schema id "
                + stringId
                + " is a string schema, expected io.lethe.records.TrainingSample");
  }

  @Test
  void shouldKeepDecodingValidRecordsAfterBadOnes() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {1, 2, 3, 4, 5, 6}))
        .isInstanceOf(WireFormatException.class);
    assertThat(deserializer.deserialize(TOPIC, validSample).getSampleId()).isEqualTo("s-1");
  }
}
