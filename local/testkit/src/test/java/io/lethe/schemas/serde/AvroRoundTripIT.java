package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.testing.KafkaExtension;
import io.lethe.testing.TestRecords;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record type goes through a real broker: written by one client, read by a deserializer with
 * an empty cache that resolves the schema id over the registry's REST API.
 */
class AvroRoundTripIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);

  static Stream<SpecificRecord> records() {
    return Stream.of(
        TestRecords.trainingSample("s-1", "subject-1"),
        TestRecords.erasureRequest("req-1", "subject-1"),
        TestRecords.modelSnapshot("fmnist-analytic", 3),
        TestRecords.erasureAffected("req-1"),
        TestRecords.erasureApplied("req-1", "fmnist-analytic"),
        TestRecords.erasureReceipt("req-1"),
        TestRecords.deadLetter());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  <T extends SpecificRecord> void shouldRoundTripThroughTheBrokerWithAnEmptyCacheReader(T record)
      throws Exception {
    String topic = KafkaExtension.uniqueTopicName(record.getSchema().getName());
    kafka.createTopic(topic);

    var serializer = new SpecificAvroSerializer<T>(kafka.registryClient(), true, false);
    kafka.produce(topic, "key-1", record, new StringSerializer(), serializer);

    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) record.getClass();
    try (SchemaRegistryClient freshClient = kafka.newRegistryClient()) {
      List<ConsumerRecord<String, T>> read =
          kafka.consume(
              topic,
              1,
              BOUND,
              new StringDeserializer(),
              new SpecificAvroDeserializer<>(type, freshClient));
      assertThat(read).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("key-1"));
      assertThat(read.get(0).value()).isEqualTo(record);
    }

    int registeredId = kafka.registryClient().getLatest(SubjectNames.forTopic(topic, false)).id();
    byte[] raw =
        kafka
            .consume(topic, 1, BOUND, new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .get(0)
            .value();
    assertThat(raw[0]).as("magic byte").isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(raw, 1, 4).getInt()).as("schema id").isEqualTo(registeredId);
  }

  @Test
  void shouldRegisterTheSchemaUnderEachTopicsSubjectWhenOneSerializerWritesToSeveral()
      throws Exception {
    // The serializer remembers the last (topic, schema) id; a new topic must still register its
    // own subject.
    TrainingSample sample = TestRecords.trainingSample("s-2", "subject-2");
    var serializer =
        new SpecificAvroSerializer<TrainingSample>(kafka.registryClient(), true, false);
    for (String topic :
        List.of(
            KafkaExtension.uniqueTopicName("first"), KafkaExtension.uniqueTopicName("second"))) {
      kafka.createTopic(topic);
      kafka.produce(topic, "key-2", sample, new StringSerializer(), serializer);
      kafka.produce(topic, "key-3", sample, new StringSerializer(), serializer);
      try (SchemaRegistryClient freshClient = kafka.newRegistryClient()) {
        assertThat(freshClient.getLatest(SubjectNames.forTopic(topic, false)).schema())
            .isEqualTo(sample.getSchema());
        List<ConsumerRecord<String, TrainingSample>> read =
            kafka.consume(
                topic,
                2,
                BOUND,
                new StringDeserializer(),
                new SpecificAvroDeserializer<>(TrainingSample.class, freshClient));
        assertThat(read).extracting(ConsumerRecord::value).containsExactly(sample, sample);
      }
    }
  }
}
