package io.lethe.job.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.job.events.SampleEvent;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.job.kafka.WrittenDeadLetter;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoders' dead letters as the sink writes them: the shared envelope with the original bytes
 * (a prefix beyond the job's limit) and every shared header, with the reason code of the failure.
 */
class DecodeDeadLettersTest {
  private static final ModelCatalog CATALOG =
      ModelCatalog.parse(
          """
          datasets:
            - {name: d, features: 2, classes: 3}
          models:
            - {name: analytic, learner: analytic, dataset: d}
          """,
          "test");
  private static final String SAMPLES = "lethe.samples";
  private static final String ERASURES = "lethe.erasures";

  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient client;

  @BeforeAll
  static void startRegistry() {
    registry = EmbeddedSchemaRegistry.startInMemory();
    client = SchemaRegistryClient.create(registry.url());
  }

  @AfterAll
  static void stopRegistry() {
    client.close();
    registry.close();
  }

  @Test
  void shouldDeadLetterUndecodableBytesAsMalformedWithEveryHeader() throws Exception {
    byte[] garbage = "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8);

    WrittenDeadLetter written;
    try (var harness = decodeSamples(raw(SAMPLES, 3, 17, garbage))) {
      written = single(harness, DecodeSamples.DEAD_LETTERS);
    }

    assertThat(written.letter().getKind()).isEqualTo(DeadLetterKind.MALFORMED);
    assertThat(written.letter().getReasonCode()).isEqualTo(Rejection.MALFORMED);
    assertThat(written.letter().getValue()).isEqualTo(ByteBuffer.wrap(garbage));
    assertThat(written.headers())
        .containsEntry(DeadLetterHeaders.REASON_CODE, "malformed")
        .containsEntry(DeadLetterHeaders.KIND, "MALFORMED")
        .containsEntry(DeadLetterHeaders.TOPIC, SAMPLES)
        .containsEntry(DeadLetterHeaders.PARTITION, "3")
        .containsEntry(DeadLetterHeaders.OFFSET, "17")
        .containsEntry(DeadLetterHeaders.SIZE, String.valueOf(3 + garbage.length))
        .containsEntry(DeadLetterHeaders.TRUNCATED, "false");
  }

  @Test
  void shouldDeadLetterAnInvalidSampleWithTheValidatorsReasonCode() throws Exception {
    TrainingSample sample = sample(List.of(0.5f, 1f, 2f));
    byte[] value = encode(SAMPLES, sample);

    WrittenDeadLetter written;
    try (var harness = decodeSamples(raw(SAMPLES, 0, 5, value))) {
      written = single(harness, DecodeSamples.DEAD_LETTERS);
    }

    assertThat(written.letter().getKind()).isEqualTo(DeadLetterKind.INVALID);
    assertThat(written.letter().getReason())
        .isEqualTo("sample s-1 of dataset d has 3 features, expected 2");
    assertThat(written.letter().getValue()).isEqualTo(ByteBuffer.wrap(value));
    assertThat(written.headers())
        .containsEntry(DeadLetterHeaders.REASON_CODE, SampleValidator.WRONG_FEATURE_COUNT)
        .containsEntry(DeadLetterHeaders.KIND, "INVALID")
        .containsEntry(DeadLetterHeaders.OFFSET, "5");
  }

  @Test
  void shouldDeadLetterAnInvalidErasureRequestWithTheValidatorsReasonCode() throws Exception {
    ErasureRequest request =
        ErasureRequest.newBuilder()
            .setRequestId("r-1")
            .setScope(ErasureScope.SUBJECT)
            .setIds(List.of("u-1", "u-2"))
            .setRequestedAt(Instant.EPOCH)
            .setRequester("test")
            .build();
    WrittenDeadLetter written;
    try (var harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeErasures(
                RegistryConnection.of(registry.url()), new ErasureRequestValidator(CATALOG)))) {
      harness.processElement(raw(ERASURES, 1, 9, encode(ERASURES, request)), 0);
      assertThat(harness.extractOutputValues()).isEmpty();
      written = single(harness, DecodeErasures.DEAD_LETTERS);
    }
    assertThat(written.headers())
        .containsEntry(
            DeadLetterHeaders.REASON_CODE, ErasureRequestValidator.SUBJECT_SCOPE_NEEDS_ONE_ID)
        .containsEntry(DeadLetterHeaders.KIND, "INVALID")
        .containsEntry(DeadLetterHeaders.TOPIC, ERASURES);
  }

  @Test
  void shouldCarryOnlyAPrefixOfAnOriginalLargerThanTheJobsLimit() throws Exception {
    byte[] huge = new byte[JobDeadLetters.MAX_CARRIED_BYTES];
    Arrays.fill(huge, (byte) 'x');

    WrittenDeadLetter written;
    try (var harness = decodeSamples(raw(SAMPLES, 0, 1, huge))) {
      written = single(harness, DecodeSamples.DEAD_LETTERS);
    }

    assertThat(written.letter().getTruncated()).isTrue();
    assertThat(written.letter().getValue().remaining()).isEqualTo(DeadLetterEnvelope.PREFIX_BYTES);
    assertThat(written.headers())
        .containsEntry(DeadLetterHeaders.SIZE, String.valueOf(3 + huge.length))
        .containsEntry(DeadLetterHeaders.TRUNCATED, "true");
  }

  @Test
  void shouldDecodeAValidSampleWithoutDeadLetter() throws Exception {
    try (var harness =
        decodeSamples(raw(SAMPLES, 0, 1, encode(SAMPLES, sample(List.of(0.5f, 1f)))))) {
      assertThat(harness.extractOutputValues()).extracting(s -> s.sampleId).containsExactly("s-1");
      assertThat(harness.getSideOutput(DecodeSamples.DEAD_LETTERS)).isNull();
    }
  }

  private static OneInputStreamOperatorTestHarness<RawRecord, SampleEvent> decodeSamples(
      RawRecord raw) throws Exception {
    ProcessFunction<RawRecord, SampleEvent> decode =
        new DecodeSamples(RegistryConnection.of(registry.url()), new SampleValidator(CATALOG));
    var harness = ProcessFunctionTestHarnesses.forProcessFunction(decode);
    harness.processElement(raw, 0);
    return harness;
  }

  private static WrittenDeadLetter single(
      OneInputStreamOperatorTestHarness<RawRecord, ?> harness, OutputTag<KafkaOut> tag) {
    List<KafkaOut> letters =
        harness.getSideOutput(tag).stream().map(StreamRecord::getValue).toList();
    assertThat(letters).hasSize(1);
    return WrittenDeadLetter.of(letters.get(0));
  }

  private static RawRecord raw(String topic, int partition, long offset, byte[] value) {
    return new RawRecord(
        topic, partition, offset, 0, "u-1".getBytes(StandardCharsets.UTF_8), value);
  }

  private static TrainingSample sample(List<Float> features) {
    return TrainingSample.newBuilder()
        .setSampleId("s-1")
        .setSubjectId("u-1")
        .setDataset("d")
        .setTask("0")
        .setFeatures(features)
        .setLabel(1)
        .setEventTime(Instant.EPOCH)
        .build();
  }

  private static <T extends SpecificRecord> byte[] encode(String topic, T record) {
    return new SpecificAvroSerializer<T>(client, true, false).serialize(topic, record);
  }
}
