package io.lethe.ingress;

import static io.lethe.ingress.IngressDriver.sample;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.testing.TestRecords;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample half of the ingress topology: validation, dead letters, de-duplication, metrics. */
class SampleIntakeTopologyTest {
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final int MAX_BYTES = 10_000;

  private static EmbeddedSchemaRegistry registryServer;
  private static SchemaRegistryClient registry;

  @TempDir Path stateDir;
  private IngressDriver ingress;

  @BeforeAll
  static void startRegistry() throws Exception {
    registryServer = EmbeddedSchemaRegistry.startInMemory();
    registry = SchemaRegistryClient.create(registryServer.url());
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
    registryServer.close();
  }

  @BeforeEach
  void startDriver() {
    IngressSettings settings =
        new IngressSettings(WINDOW, Duration.ofMinutes(5), MAX_BYTES, Duration.ofDays(1));
    ingress = new IngressDriver(registry, settings, stateDir);
  }

  @AfterEach
  void closeDriver() {
    ingress.close();
  }

  @Test
  void shouldForwardValidSampleKeyedBySubject() {
    TrainingSample valid = sample("s-1", "u-1").build();

    ingress.samplesRaw.pipeInput("whatever-key", valid);

    var out = ingress.samples.readRecord();
    assertThat(out.key()).isEqualTo("u-1");
    assertThat(out.value()).isEqualTo(valid);
    assertThat(ingress.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldRejectSampleWithWrongFeatureCount() {
    assertRejected(
        sample("s-17", "u-1").setFeatures(Collections.nCopies(783, 0.5f)).build(),
        SampleValidator.WRONG_FEATURE_COUNT,
        "sample s-17 of dataset fashion-mnist has 783 features, expected 784");
  }

  @Test
  void shouldRejectSampleWithNaNFeature() {
    assertRejected(
        sample("s-17", "u-1").setFeatures(featuresWith(5, Float.NaN)).build(),
        SampleValidator.NON_FINITE_FEATURE,
        "sample s-17 of dataset fashion-mnist has a non-finite feature at index 5: NaN");
  }

  @Test
  void shouldRejectSampleWithInfiniteFeature() {
    assertRejected(
        sample("s-17", "u-1").setFeatures(featuresWith(783, Float.NEGATIVE_INFINITY)).build(),
        SampleValidator.NON_FINITE_FEATURE,
        "sample s-17 of dataset fashion-mnist has a non-finite feature at index 783: -Infinity");
  }

  @Test
  void shouldRejectSampleWithAFeatureBeyondTheDatasetsBound() {
    // One flipped exponent bit turns 0.5 into about 1.7e38: finite, and enough to make the
    // analytic learner's sums indefinite.
    float flipped = Float.intBitsToFloat(Float.floatToIntBits(0.5f) ^ (1 << 30));
    assertRejected(
        sample("s-17", "u-1").setFeatures(featuresWith(7, flipped)).build(),
        SampleValidator.FEATURE_OUT_OF_RANGE,
        "sample s-17 of dataset fashion-mnist has feature "
            + flipped
            + " at index 7, outside [-1000000.0, 1000000.0] (the dataset's max-abs-feature)");
  }

  @Test
  void shouldRejectSampleOfUnknownDataset() {
    assertRejected(
        sample("s-17", "u-1").setDataset("mnist").build(),
        SampleValidator.UNKNOWN_DATASET,
        "sample s-17 names dataset 'mnist', which is not in the model catalog"
            + " (known: [fashion-mnist, toy])");
  }

  @Test
  void shouldRejectSampleWithLabelAboveTheClasses() {
    assertRejected(
        sample("s-17", "u-1").setLabel(10).build(),
        SampleValidator.LABEL_OUT_OF_RANGE,
        "sample s-17 of dataset fashion-mnist has label 10, expected 0 to 9");
  }

  @Test
  void shouldRejectSampleWithNegativeLabel() {
    assertRejected(
        sample("s-17", "u-1").setLabel(-1).build(),
        SampleValidator.LABEL_OUT_OF_RANGE,
        "sample s-17 of dataset fashion-mnist has label -1, expected 0 to 9");
  }

  @Test
  void shouldRejectSampleWithoutSampleId() {
    assertRejected(
        sample(" ", "u-1").build(),
        SampleValidator.MISSING_SAMPLE_ID,
        "sample of subject 'u-1' in dataset fashion-mnist has no sampleId");
  }

  @Test
  void shouldRejectSampleWithoutSubjectId() {
    assertRejected(
        sample("s-17", "").build(),
        SampleValidator.MISSING_SUBJECT_ID,
        "sample s-17 of dataset fashion-mnist has no subjectId");
  }

  @Test
  void shouldDeadLetterAnOversizedSampleWithItsCoordinatesSizeAndFirstBytes() {
    TrainingSample big =
        sample("s-17", "u-1")
            .setAttributes(Map.of("note", "x".repeat(DeadLetterEnvelope.PREFIX_BYTES + MAX_BYTES)))
            .build();
    byte[] bytes = ingress.topics.samplesRaw().valueSerde().serializer().serialize("any", big);
    int size = bytes.length + "u-1".length();

    ingress.samplesRaw.pipeInput("u-1", big);
    ingress.samplesRaw.pipeInput("u-2", sample("s-18", "u-2").build());

    String reason =
        "record at lethe.samples.raw-0@0 is "
            + size
            + " bytes, over the limit of "
            + MAX_BYTES
            + " (ingress setting max-record-bytes)";
    TestRecord<String, DeadLetter> dead = ingress.deadLetters.readRecord();
    assertThat(dead.value().getReason()).isEqualTo(reason);
    assertThat(dead.value().getReasonCode()).isEqualTo(Rejection.RECORD_TOO_LARGE);
    assertThat(dead.value().getOriginalSize()).isEqualTo(size);
    assertThat(dead.value().getTruncated()).isTrue();
    assertThat(dead.value().getValue())
        .isEqualTo(ByteBuffer.wrap(Arrays.copyOf(bytes, DeadLetterEnvelope.PREFIX_BYTES)));
    assertThat(dead.value().getKey()).isEqualTo(ByteBuffer.wrap("u-1".getBytes(UTF_8)));
    assertHeaders(dead.headers(), reason, Rejection.RECORD_TOO_LARGE, "INVALID", 0);
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.SIZE))
        .isEqualTo(String.valueOf(size));
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.TRUNCATED))
        .isEqualTo("true");
    assertThat(ingress.samples.readValue().getSampleId()).isEqualTo("s-18");
  }

  @Test
  void shouldCarryAnInvalidSampleUnderTheLimitWhole() {
    TrainingSample sample = sample("s-17", "u-1").setLabel(12).build();
    ingress.samplesRaw.pipeInput("u-1", sample);

    DeadLetter dead = ingress.deadLetters.readValue();
    byte[] bytes = ingress.topics.samplesRaw().valueSerde().serializer().serialize("any", sample);
    assertThat(dead.getTruncated()).isFalse();
    assertThat(dead.getOriginalSize()).isEqualTo(bytes.length + "u-1".length());
    assertThat(dead.getValue()).isEqualTo(ByteBuffer.wrap(bytes));
  }

  @Test
  void shouldDeadLetterGarbageBytesWithHeadersAndKeepAcceptingValidSamples() {
    byte[] garbage = "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8);
    byte[] key = "u-1".getBytes(StandardCharsets.UTF_8);

    ingress.samplesRawBytes.pipeInput(key, garbage);
    ingress.samplesRaw.pipeInput("u-1", sample("s-1", "u-1").build());

    String reason =
        "record at lethe.samples.raw-0@0 is not a valid TrainingSample: Record on topic"
            + " 'lethe.samples.raw' is not valid Confluent Avro: unknown magic byte 0x7b"
            + " (expected 0x00): not Confluent-framed Avro";
    TestRecord<String, DeadLetter> dead = ingress.deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("u-1");
    assertThat(dead.value().getKind()).isEqualTo(DeadLetterKind.MALFORMED);
    assertThat(dead.value().getReason()).isEqualTo(reason);
    assertThat(dead.value().getComponent()).isEqualTo("ingress");
    assertThat(dead.value().getSourceTopic()).isEqualTo("lethe.samples.raw");
    assertThat(dead.value().getSourcePartition()).isZero();
    assertThat(dead.value().getSourceOffset()).isZero();
    assertThat(dead.value().getKey()).isEqualTo(ByteBuffer.wrap(key));
    assertThat(dead.value().getValue()).isEqualTo(ByteBuffer.wrap(garbage));
    assertHeaders(dead.headers(), reason, Rejection.MALFORMED, "MALFORMED", 0);
    assertThat(ingress.samples.readValue().getSampleId()).isEqualTo("s-1");
    assertThat(ingress.metric(IngressMetrics.REJECTED, Map.of("reason", Rejection.MALFORMED)))
        .isEqualTo(1.0);
  }

  @Test
  void shouldDeadLetterConfluentFramedBytesWithAnUnknownSchemaId() {
    byte[] framed = {0, 0, 0, 0x03, (byte) 0xE7, 1, 2, 3};

    ingress.samplesRawBytes.pipeInput("u-1".getBytes(StandardCharsets.UTF_8), framed);
    ingress.samplesRaw.pipeInput("u-1", sample("s-1", "u-1").build());

    assertThat(ingress.deadLetters.readValue().getReason())
        .isEqualTo(
            "record at lethe.samples.raw-0@0 is not a valid TrainingSample: Record on topic"
                + " 'lethe.samples.raw' is not valid Confluent Avro: schema id 999 is not known"
                + " to the schema registry");
    assertThat(ingress.samples.readValue().getSampleId()).isEqualTo("s-1");
  }

  @Test
  void shouldDeadLetterARecordWithoutValue() {
    ingress.samplesRawBytes.pipeInput("u-1".getBytes(StandardCharsets.UTF_8), (byte[]) null);

    DeadLetter dead = ingress.deadLetters.readValue();
    assertThat(dead.getKind()).isEqualTo(DeadLetterKind.MALFORMED);
    assertThat(dead.getReason())
        .isEqualTo(
            "record at lethe.samples.raw-0@0 is not a valid TrainingSample: the record has no"
                + " value");
    assertThat(dead.getValue()).isNull();
  }

  @Test
  void shouldDeadLetterADuplicateSampleIdWithinTheWindowWhateverItsKey() {
    TrainingSample first = sample("s-1", "u-1").build();
    TrainingSample again = sample("s-1", "u-1").setLabel(4).build();
    TrainingSample underAnotherKey = sample("s-1", "u-9").build();

    ingress.samplesRaw.pipeInput("u-1", first, TestRecords.T0);
    ingress.samplesRaw.pipeInput("u-1", again, TestRecords.T0.plus(WINDOW).minusMillis(1));
    ingress.samplesRaw.pipeInput("u-9", underAnotherKey, TestRecords.T0.plusSeconds(1));

    assertThat(ingress.samples.readValuesToList()).containsExactly(first);
    List<TestRecord<String, DeadLetter>> dead = ingress.deadLetters.readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).value().getReason())
        .isEqualTo(
            "sample s-1 at lethe.samples.raw-0@1 was already accepted with record time "
                + TestRecords.T0
                + "; duplicate ignored");
    assertHeaders(
        dead.get(0).headers(),
        dead.get(0).value().getReason(),
        Rejection.DUPLICATE_SAMPLE,
        "INVALID",
        1);
    assertThat(dead.get(0).key()).isEqualTo("u-1");
    assertThat(dead.get(0).value().getValue())
        .isEqualTo(
            ByteBuffer.wrap(
                ingress.topics.samplesRaw().valueSerde().serializer().serialize("any", again)));
    assertThat(dead.get(1).key()).isEqualTo("u-9");
    assertThat(dead.get(1).value().getSourceOffset()).isEqualTo(2);
    // The repartition's own headers do not leak to the dead letters.
    assertThat(dead.get(1).headers().lastHeader(SourceHeaders.TOPIC)).isNull();
    assertThat(ingress.metric(IngressMetrics.DUPLICATES, Map.of())).isEqualTo(2.0);
  }

  @Test
  void shouldNotPassTheRepartitionHeadersOnToTheSamplesTopic() {
    ingress.samplesRaw.pipeInput("u-1", sample("s-1", "u-1").build());

    TestRecord<String, TrainingSample> accepted = ingress.samples.readRecord();
    assertThat(accepted.key()).isEqualTo("u-1");
    assertThat(accepted.headers().lastHeader(SourceHeaders.TOPIC)).isNull();
    assertThat(accepted.headers().lastHeader(SourceHeaders.KEY)).isNull();
  }

  @Test
  void shouldAcceptSampleIdAgainAfterTheWindowExpires() {
    ingress.samplesRaw.pipeInput("u-1", sample("s-1", "u-1").build(), TestRecords.T0);
    assertThat(ingress.sampleIdsStore().get("s-1")).isNotNull();

    // A later record moves stream time past the window; the expiry punctuation forgets s-1.
    ingress.samplesRaw.pipeInput(
        "u-2", sample("s-2", "u-2").build(), TestRecords.T0.plus(WINDOW).plusSeconds(60));
    assertThat(ingress.sampleIdsStore().get("s-1")).isNull();
    ingress.samplesRaw.pipeInput(
        "u-1", sample("s-1", "u-1").build(), TestRecords.T0.plus(WINDOW).plusSeconds(61));

    assertThat(ingress.samples.readValuesToList())
        .extracting(TrainingSample::getSampleId)
        .containsExactly("s-1", "s-2", "s-1");
    assertThat(ingress.metric(IngressMetrics.DUPLICATES, Map.of())).isZero();
  }

  @Test
  void shouldCountAcceptedRejectedByReasonAndDuplicateSamples() {
    ingress.samplesRaw.pipeInput("u-1", sample("s-1", "u-1").build());
    ingress.samplesRaw.pipeInput("u-1", sample("s-2", "u-1").build());
    ingress.samplesRaw.pipeInput("u-1", sample("s-2", "u-1").build());
    ingress.samplesRaw.pipeInput("u-1", sample("s-3", "u-1").setLabel(12).build());
    ingress.samplesRaw.pipeInput("u-1", sample("s-4", "u-1").setLabel(-3).build());
    ingress.samplesRaw.pipeInput("u-1", sample("s-5", "u-1").setDataset("cifar").build());
    ingress.samplesRawBytes.pipeInput((byte[]) null, new byte[] {1, 2});

    Map<String, String> samples = Map.of("stream", IngressMetrics.SAMPLES);
    assertThat(ingress.metric(IngressMetrics.ACCEPTED, samples)).isEqualTo(2.0);
    assertThat(ingress.metric(IngressMetrics.REJECTED, samples)).isEqualTo(5.0);
    assertThat(rejectedFor(SampleValidator.LABEL_OUT_OF_RANGE)).isEqualTo(2.0);
    assertThat(rejectedFor(SampleValidator.UNKNOWN_DATASET)).isEqualTo(1.0);
    assertThat(rejectedFor(Rejection.MALFORMED)).isEqualTo(1.0);
    assertThat(rejectedFor(Rejection.DUPLICATE_SAMPLE)).isEqualTo(1.0);
    assertThat(ingress.metric(IngressMetrics.DUPLICATES, Map.of())).isEqualTo(1.0);
    assertThat(ingress.deadLetters.getQueueSize()).isEqualTo(5);
  }

  private double rejectedFor(String reason) {
    return ingress.metric(
        IngressMetrics.REJECTED, Map.of("stream", IngressMetrics.SAMPLES, "reason", reason));
  }

  private void assertRejected(TrainingSample sample, String code, String message) {
    ingress.samplesRaw.pipeInput("u-1", sample);

    assertThat(ingress.samples.isEmpty()).isTrue();
    TestRecord<String, DeadLetter> dead = ingress.deadLetters.readRecord();
    assertThat(dead.value().getReason()).isEqualTo(message);
    assertThat(dead.value().getKind()).isEqualTo(DeadLetterKind.INVALID);
    assertThat(dead.value().getComponent()).isEqualTo("ingress");
    assertThat(dead.value().getSourceTopic()).isEqualTo("lethe.samples.raw");
    assertThat(dead.value().getValue())
        .isEqualTo(
            ByteBuffer.wrap(
                ingress.topics.samplesRaw().valueSerde().serializer().serialize("any", sample)));
    assertHeaders(dead.headers(), message, code, "INVALID", 0);
    assertThat(rejectedFor(code)).isEqualTo(1.0);
  }

  private static void assertHeaders(
      Headers headers, String reason, String code, String kind, long offset) {
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.REASON)).isEqualTo(reason);
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.REASON_CODE)).isEqualTo(code);
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.KIND)).isEqualTo(kind);
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.TOPIC))
        .isEqualTo("lethe.samples.raw");
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.PARTITION)).isEqualTo("0");
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.OFFSET))
        .isEqualTo(String.valueOf(offset));
    assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.COMPONENT)).isEqualTo("ingress");
  }

  private static List<Float> featuresWith(int index, float value) {
    List<Float> features = new ArrayList<>(Collections.nCopies(784, 0.5f));
    features.set(index, value);
    return features;
  }
}
