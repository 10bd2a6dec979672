package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.testing.KafkaExtension;
import io.lethe.testing.TestRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SpecificAvroDeserializer} reads samples written with {@link TrainingSample}'s own schema
 * through {@link TrainingSampleReader}, and samples written with an evolved schema through Avro's
 * schema resolution, with the same result.
 */
class TrainingSampleDecodingIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  private static final String TOPIC = "lethe.samples";

  private SchemaRegistryClient readerClient;
  private SpecificAvroDeserializer<TrainingSample> deserializer;

  @BeforeEach
  void setUp() {
    readerClient = kafka.newRegistryClient();
    deserializer = new SpecificAvroDeserializer<>(TrainingSample.class, readerClient);
  }

  @AfterEach
  void tearDown() {
    readerClient.close();
  }

  @Test
  void shouldReadTheOwnSchemaUnboxed() {
    TrainingSample sample = TestRecords.trainingSample("s-1", "subject-1");
    byte[] payload =
        new SpecificAvroSerializer<TrainingSample>(kafka.registryClient(), true, false)
            .serialize(TOPIC, sample);

    TrainingSample read = deserializer.deserialize(TOPIC, payload);

    assertThat(read).isEqualTo(sample);
    assertThat(read.getFeatures()).isInstanceOf(FloatList.class);
  }

  @Test
  void shouldResolveAWriterSchemaWithAnAddedField() throws IOException {
    Schema evolved = withOriginField(TrainingSample.getClassSchema());
    int id = kafka.registryClient().register(TOPIC + "-value", evolved);
    TrainingSample sample = TestRecords.trainingSample("s-2", "subject-2");
    GenericRecord written = new GenericData.Record(evolved);
    for (Schema.Field field : TrainingSample.getClassSchema().getFields()) {
      written.put(field.name(), sample.get(field.name()));
    }
    written.put("origin", "mobile");

    TrainingSample read = deserializer.deserialize(TOPIC, frame(id, evolved, written));

    assertThat(read).isEqualTo(sample);
  }

  /** {@code schema} with a string field {@code origin} (default "unknown") added at the end. */
  private static Schema withOriginField(Schema schema) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(
        new Schema.Field(
            "origin", Schema.create(Schema.Type.STRING), "where it came from", "unknown"));
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static byte[] frame(int schemaId, Schema schema, GenericRecord record)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion()); // eventTime
    new GenericDatumWriter<GenericRecord>(schema, data).write(record, encoder);
    encoder.flush();
    ByteBuffer payload = ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE + body.size());
    ConfluentWireFormat.writeHeader(payload, schemaId);
    payload.put(body.toByteArray());
    return payload.array();
  }
}
