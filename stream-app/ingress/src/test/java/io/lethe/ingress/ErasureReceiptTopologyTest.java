package io.lethe.ingress;

import static io.lethe.ingress.IngressDriver.affects;
import static io.lethe.ingress.IngressDriver.appliedBy;
import static io.lethe.ingress.IngressDriver.erasure;
import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.ingress.receipts.ErasureStatus;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.snapshot.TrustedKeys;
import io.lethe.testing.TestRecords;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.Rejection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The erasure half of the ingress topology: validation, rejected receipts, receipt joins. */
class ErasureReceiptTopologyTest {
  private static final Duration PENDING_TIMEOUT = Duration.ofMinutes(2);
  private static final String ANALYTIC = "fmnist-analytic";
  private static final String HYPERNET = "fmnist-hypernet";

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
        new IngressSettings(Duration.ofHours(1), PENDING_TIMEOUT, 100_000, Duration.ofDays(1));
    ingress = new IngressDriver(registry, settings, stateDir);
  }

  @AfterEach
  void closeDriver() {
    ingress.close();
  }

  @Test
  void shouldForwardValidErasureKeyedBySubjectAndTrackItAsPending() {
    ErasureRequest request = erasure("r-1", "u-1").build();

    ingress.erasuresRaw.pipeInput("anything", request);

    TestRecord<String, ErasureRequest> out = ingress.erasures.readRecord();
    assertThat(out.key()).isEqualTo("u-1");
    assertThat(out.value()).isEqualTo(request);
    assertThat(ingress.erasuresStore().get("r-1").status()).isEqualTo(ErasureStatus.PENDING);
    assertThat(ingress.receipts.isEmpty()).isTrue();
    assertThat(ingress.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldKeySampleScopeBySubjectAndTaskScopeByTaskId() {
    ingress.erasuresRaw.pipeInput(
        "k",
        erasure("r-1", "u-1")
            .setScope(ErasureScope.SAMPLE)
            .setIds(List.of("s-1", "s-2"))
            .setSubjectId("u-7")
            .build());
    ingress.erasuresRaw.pipeInput(
        "k", erasure("r-2", "u-1").setScope(ErasureScope.TASK).setIds(List.of("3")).build());

    assertThat(ingress.erasures.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly("u-7", "3");
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of(
            erasure("r-1", "u-1").setRequester(" ").build(),
            ErasureRequestValidator.MISSING_REQUESTER,
            "erasure request r-1 has no requester"),
        Arguments.of(
            erasure("r-1", "u-1").setIds(List.of()).build(),
            ErasureRequestValidator.NO_IDS,
            "erasure request r-1 (SUBJECT scope) names no ids"),
        Arguments.of(
            erasure("r-1", "u-1").setScope(ErasureScope.TASK).setIds(List.of("1", " ")).build(),
            ErasureRequestValidator.BLANK_ID,
            "erasure request r-1 has a blank id at index 1"),
        Arguments.of(
            erasure("r-1", "u-1").setIds(List.of("u-1", "u-2")).build(),
            ErasureRequestValidator.SUBJECT_SCOPE_NEEDS_ONE_ID,
            "erasure request r-1 names 2 subjects, expected exactly one (send one request per"
                + " data subject)"),
        Arguments.of(
            erasure("r-1", "u-1").setSubjectId("u-2").build(),
            ErasureRequestValidator.SUBJECT_ID_MISMATCH,
            "erasure request r-1 erases subject u-1 but its subjectId is 'u-2'; leave subjectId"
                + " empty or equal to the id"),
        Arguments.of(
            erasure("r-1", "u-1").setScope(ErasureScope.SAMPLE).setIds(List.of("s-1")).build(),
            ErasureRequestValidator.SAMPLE_SCOPE_NEEDS_SUBJECT,
            "erasure request r-1 erases samples but has no subjectId (the subject the samples"
                + " belong to)"),
        Arguments.of(
            erasure("r-1", "u-1").setDataset("mnist").build(),
            ErasureRequestValidator.UNKNOWN_DATASET,
            "erasure request r-1 names dataset 'mnist', which is not in the model catalog"
                + " (known: [fashion-mnist, toy])"),
        Arguments.of(
            erasure("r-1", "u-1").setModels(List.of(ANALYTIC, "gpt")).build(),
            ErasureRequestValidator.UNKNOWN_MODEL,
            "erasure request r-1 names model 'gpt', which is not in the model catalog (known:"
                + " [fmnist-analytic, fmnist-hypernet, toy-analytic])"),
        Arguments.of(
            erasure("r-1", "u-1").setDataset("toy").setModels(List.of(ANALYTIC)).build(),
            ErasureRequestValidator.MODEL_NOT_ON_DATASET,
            "erasure request r-1 names model 'fmnist-analytic', which learns from dataset"
                + " fashion-mnist, not toy"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidRequests")
  void shouldAnswerInvalidRequestWithRejectedReceiptAndDeadLetter(
      ErasureRequest invalid, String code, String message) {
    ingress.erasuresRaw.pipeInput("u-1", invalid);

    assertThat(ingress.erasures.isEmpty()).isTrue();
    TestRecord<String, ErasureReceipt> receipt = ingress.receipts.readRecord();
    assertThat(receipt.key()).isEqualTo("r-1");
    assertThat(receipt.value().getStatus()).isEqualTo(ReceiptStatus.REJECTED);
    assertThat(receipt.value().getReason()).isEqualTo(message);
    assertThat(receipt.value().getModels()).isEmpty();
    assertThat(receipt.value().getRequester()).isEqualTo(invalid.getRequester());
    assertThat(receipt.value().getRequestedAt()).isEqualTo(TestRecords.T0);
    assertThat(receipt.value().getLatencyMs()).isEqualTo(200);
    TestRecord<String, DeadLetter> dead = ingress.deadLetters.readRecord();
    assertThat(dead.value().getKind()).isEqualTo(DeadLetterKind.INVALID);
    assertThat(dead.value().getReason()).isEqualTo(message);
    assertThat(dead.value().getSourceTopic()).isEqualTo("lethe.erasures.raw");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.REASON_CODE))
        .isEqualTo(code);
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.TOPIC))
        .isEqualTo("lethe.erasures.raw");
    assertThat(ingress.erasuresStore().get("r-1").status()).isEqualTo(ErasureStatus.REJECTED);
    assertThat(
            ingress.metric(
                IngressMetrics.REJECTED, Map.of("stream", IngressMetrics.ERASURES, "reason", code)))
        .isEqualTo(1.0);
  }

  @Test
  void shouldDeadLetterRequestWithoutRequestIdSinceNoReceiptCanAnswerIt() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("", "u-1").build());

    assertThat(ingress.deadLetters.readValue().getReason())
        .isEqualTo("SUBJECT erasure request from 'privacy-system' has no requestId");
    assertThat(ingress.receipts.isEmpty()).isTrue();
    assertThat(ingress.erasures.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterGarbageErasureBytesAndKeepAcceptingRequests() {
    ingress.erasuresRawBytes.pipeInput(new byte[] {'u'}, new byte[] {0, 0, 0});
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());

    DeadLetter dead = ingress.deadLetters.readValue();
    assertThat(dead.getKind()).isEqualTo(DeadLetterKind.MALFORMED);
    assertThat(dead.getReason())
        .isEqualTo(
            "record at lethe.erasures.raw-0@0 is not a valid ErasureRequest: Record on topic"
                + " 'lethe.erasures.raw' is not valid Confluent Avro: payload of 3 bytes is"
                + " shorter than the 5-byte header (magic byte + schema id)");
    assertThat(ingress.erasures.readValue().getRequestId()).isEqualTo("r-1");
  }

  @Test
  void shouldWaitForEveryAffectedModelBeforePublishingTheReceipt() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    assertThat(ingress.receipts.isEmpty()).isTrue();
    assertThat(ingress.erasuresStore().get("r-1").awaitedModels()).containsExactly(HYPERNET);

    ingress.advanceWallClock(Duration.ofMillis(50));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));

    assertCompletedWithBothModels(ingress.receipts.readRecord());
    assertThat(ingress.receipts.isEmpty()).isTrue();
  }

  @Test
  void shouldExportTheTimeFromArrivalToReceiptAsAHistogram() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC));
    ingress.advanceWallClock(Duration.ofMillis(1500));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    assertThat(ingress.receipts.readValue().getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(ingress.prometheus())
        .contains("# TYPE lethe_ingress_erasure_to_receipt_seconds histogram")
        .contains("lethe_ingress_erasure_to_receipt_seconds_bucket{le=\"1.0\"} 0")
        .contains("lethe_ingress_erasure_to_receipt_seconds_bucket{le=\"2.5\"} 1")
        .contains("lethe_ingress_erasure_to_receipt_seconds_bucket{le=\"+Inf\"} 1")
        .contains("lethe_ingress_erasure_to_receipt_seconds_count 1")
        .contains("lethe_ingress_erasure_to_receipt_seconds_sum 1.5")
        .contains("lethe_ingress_receipts_total{status=\"COMPLETED\"} 1.0")
        .contains("lethe_ingress_accepted_total{stream=\"erasures\"} 1.0")
        .contains("lethe_ingress_pending_erasures 0.0")
        .contains("lethe_ingress_duplicate_samples_total 0.0");
  }

  @Test
  void shouldWaitForEveryAffectedModelWhenConfirmationsArriveInTheOtherOrder() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));

    assertThat(ingress.receipts.isEmpty()).isTrue();

    ingress.advanceWallClock(Duration.ofMillis(50));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    assertCompletedWithBothModels(ingress.receipts.readRecord());
  }

  @Test
  void shouldCompleteWhenConfirmationsArriveBeforeTheAffectedList() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    assertThat(ingress.receipts.isEmpty()).isTrue();

    ingress.advanceWallClock(Duration.ofMillis(50));
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));

    assertCompletedWithBothModels(ingress.receipts.readRecord());
  }

  @Test
  void shouldCompleteWhenTheJobAnswersBeforeTheRequestArrives() {
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));

    assertThat(ingress.receipts.isEmpty()).isTrue();

    ingress.advanceWallClock(Duration.ofMillis(50));
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());

    assertCompletedWithBothModels(ingress.receipts.readRecord());
  }

  @Test
  void shouldSignEveryReceiptWithTheSigningKeyWhenGivenOne() {
    ingress.close();
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(stateDir.resolve("keys"));
    ReceiptSigner signer = ReceiptSigner.fromFile(keys.privateKey());
    IngressSettings settings =
        new IngressSettings(Duration.ofHours(1), PENDING_TIMEOUT, 100_000, Duration.ofDays(1));
    ingress = new IngressDriver(registry, settings, stateDir.resolve("signed"), signer);
    TrustedKeys trusted = TrustedKeys.load(List.of(keys.publicKey()));

    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));
    ingress.erasuresRaw.pipeInput("u-2", erasure("r-2", "u-2").setDataset("mnist").build());

    ErasureReceipt completed = ingress.receipts.readValue();
    ErasureReceipt rejected = ingress.receipts.readValue();
    assertThat(completed.getSigningKeyId()).isEqualTo(keys.keyId());
    assertThat(trusted.check(completed)).isEqualTo(TrustedKeys.Check.VALID);
    assertThat(rejected.getStatus()).isEqualTo(ReceiptStatus.REJECTED);
    assertThat(trusted.check(rejected)).isEqualTo(TrustedKeys.Check.VALID);
    // The status endpoint signs the receipt it rebuilds from the stored state (after the store's
    // JSON round trip): the same signature as on the topic.
    ErasureReceipt fromStore = ingress.erasuresStore().get("r-1").toReceipt();
    signer.sign(fromStore);
    assertThat(fromStore).isEqualTo(completed);
  }

  @Test
  void shouldLeaveReceiptsUnsignedWithoutASigningKey() {
    ingress.erasuresRaw.pipeInput("u-2", erasure("r-2", "u-2").setDataset("mnist").build());

    ErasureReceipt rejected = ingress.receipts.readValue();
    assertThat(rejected.getSignature()).isNull();
    assertThat(rejected.getSigningKeyId()).isNull();
  }

  @Test
  void shouldPublishTheReceiptAtOnceWhenNoModelIsAffected() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1"));

    ErasureReceipt receipt = ingress.receipts.readValue();
    assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(receipt.getModels()).isEmpty();
    assertThat(receipt.getLatencyMs()).isEqualTo(200);
  }

  @Test
  void shouldTrackACorrectedRequestSentAgainUnderTheIdOfARejectedOne() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").setDataset("mnist").build());
    assertThat(ingress.receipts.readValue().getStatus()).isEqualTo(ReceiptStatus.REJECTED);

    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    ErasureReceipt receipt = ingress.receipts.readValue();
    assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(receipt.getReason()).isNull();
    assertThat(receipt.getModels())
        .extracting(ModelErasure::getFirstVersionWithout)
        .containsExactly(7L);
  }

  @Test
  void shouldTreatTheSameIdAndContentAsARetryThatRunsNothingAndResendsTheReceipt() {
    ErasureRequest request = erasure("r-1", "u-1").build();
    ingress.erasuresRaw.pipeInput("u-1", request);
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));
    ErasureReceipt first = ingress.receipts.readValue();
    assertThat(ingress.erasures.readValuesToList()).containsExactly(request);

    // A retry may carry a new issue time: requestedAt is not part of the content.
    ingress.erasuresRaw.pipeInput(
        "u-1", erasure("r-1", "u-1").setRequestedAt(TestRecords.T0.plusSeconds(30)).build());

    assertThat(ingress.erasures.isEmpty()).isTrue();
    assertThat(ingress.deadLetters.isEmpty()).isTrue();
    assertThat(ingress.receipts.readValuesToList()).containsExactly(first);
    assertThat(ingress.erasuresStore().get("r-1").status()).isEqualTo(ErasureStatus.COMPLETED);
    assertThat(ingress.metric(IngressMetrics.RETRIES, Map.of())).isEqualTo(1.0);
  }

  @Test
  void shouldTreatARetryOfAPendingRequestAsNothingNew() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.erasures.readValue();

    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());

    assertThat(ingress.erasures.isEmpty()).isTrue();
    assertThat(ingress.receipts.isEmpty()).isTrue();
    assertThat(ingress.deadLetters.isEmpty()).isTrue();
    assertThat(ingress.erasuresStore().get("r-1").status()).isEqualTo(ErasureStatus.PENDING);
  }

  @Test
  void shouldRefuseACompletedRequestIdReusedForAnotherSubject() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));
    ErasureReceipt first = ingress.receipts.readValue();
    ingress.erasures.readValue();
    var before = ingress.erasuresStore().get("r-1");

    ingress.erasuresRaw.pipeInput("u-2", erasure("r-1", "u-2").build());

    assertThat(ingress.erasures.isEmpty()).as("nothing reaches the job").isTrue();
    assertThat(ingress.receipts.isEmpty()).as("no second receipt").isTrue();
    assertThat(ingress.erasuresStore().get("r-1")).isEqualTo(before);
    TestRecord<String, DeadLetter> dead = ingress.deadLetters.readRecord();
    String reason =
        "erasure request r-1 at lethe.erasures.raw-0@1 reuses the id of a COMPLETED request with"
            + " other content (scope, ids, subject, dataset, models or requester differ); not"
            + " executed, and the first request's receipt stands";
    assertThat(dead.value().getReason()).isEqualTo(reason);
    assertThat(dead.value().getReasonCode()).isEqualTo(Rejection.REQUEST_ID_REUSED);
    assertThat(dead.value().getKind()).isEqualTo(DeadLetterKind.INVALID);
    assertThat(dead.value().getSourceTopic()).isEqualTo("lethe.erasures.raw");
    assertThat(dead.value().getSourceOffset()).isEqualTo(1);
    assertThat(dead.value().getValue())
        .isEqualTo(
            java.nio.ByteBuffer.wrap(
                ingress
                    .topics
                    .erasuresRaw()
                    .valueSerde()
                    .serializer()
                    .serialize("any", erasure("r-1", "u-2").build())));
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.REASON_CODE))
        .isEqualTo(Rejection.REQUEST_ID_REUSED);
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.KIND)).isEqualTo("INVALID");
    assertThat(first.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(
            ingress.metric(
                IngressMetrics.REJECTED,
                Map.of("stream", IngressMetrics.ERASURES, "reason", Rejection.REQUEST_ID_REUSED)))
        .isEqualTo(1.0);
  }

  @Test
  void shouldRefuseAPendingRequestIdReusedWithAnotherRequester() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.erasures.readValue();

    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").setRequester("someone").build());

    assertThat(ingress.erasures.isEmpty()).isTrue();
    assertThat(ingress.deadLetters.readValue().getReasonCode())
        .isEqualTo(Rejection.REQUEST_ID_REUSED);
    assertThat(ingress.erasuresStore().get("r-1").request().requester())
        .isEqualTo(erasure("r-1", "u-1").build().getRequester());
  }

  @Test
  void shouldLeaveAnAcceptedRequestAsItWasWhenAnInvalidOneReusesItsId() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.erasures.readValue();

    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").setIds(List.of()).build());

    assertThat(ingress.erasures.isEmpty()).isTrue();
    assertThat(ingress.receipts.isEmpty()).as("no REJECTED receipt for r-1").isTrue();
    assertThat(ingress.deadLetters.readValue().getReasonCode())
        .isEqualTo(ErasureRequestValidator.NO_IDS);
    assertThat(ingress.erasuresStore().get("r-1").status()).isEqualTo(ErasureStatus.PENDING);
  }

  @Test
  void shouldPublishOneReceiptWhenAConfirmationIsRepeated() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    assertThat(ingress.receipts.readValuesToList()).hasSize(1);
    assertThat(
            ingress.metric(
                IngressMetrics.RECEIPTS, Map.of("status", ReceiptStatus.COMPLETED.name())))
        .isEqualTo(1.0);
  }

  @Test
  void shouldReportRequestPendingLongerThanTheTimeoutWithoutDroppingIt() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.erasuresRaw.pipeInput("u-2", erasure("r-2", "u-2").build());
    ingress.affected.pipeInput("r-1", affects("r-1", ANALYTIC, HYPERNET));
    ingress.applied.pipeInput("r-1", appliedBy("r-1", ANALYTIC, 7));

    ingress.advanceWallClock(PENDING_TIMEOUT.minusSeconds(1));
    assertThat(ingress.metric(IngressMetrics.PENDING, Map.of())).isEqualTo(2.0);
    assertThat(ingress.metric(IngressMetrics.OVERDUE, Map.of())).isZero();

    ingress.advanceWallClock(Duration.ofSeconds(30));
    assertThat(ingress.metric(IngressMetrics.PENDING, Map.of())).isEqualTo(2.0);
    assertThat(ingress.metric(IngressMetrics.OVERDUE, Map.of())).isEqualTo(2.0);
    assertThat(ingress.erasuresStore().get("r-1").overdueReported()).isTrue();

    ingress.applied.pipeInput("r-1", appliedBy("r-1", HYPERNET, 12));
    assertThat(ingress.receipts.readValue().getStatus()).isEqualTo(ReceiptStatus.COMPLETED);

    ingress.advanceWallClock(Duration.ofSeconds(30));
    assertThat(ingress.metric(IngressMetrics.PENDING, Map.of())).isEqualTo(1.0);
    assertThat(ingress.metric(IngressMetrics.OVERDUE, Map.of())).isEqualTo(1.0);
  }

  @Test
  void shouldCountAcceptedAndRejectedErasures() {
    ingress.erasuresRaw.pipeInput("u-1", erasure("r-1", "u-1").build());
    ingress.erasuresRaw.pipeInput("u-2", erasure("r-2", "u-2").setDataset("mnist").build());
    ingress.erasuresRawBytes.pipeInput((byte[]) null, new byte[] {7});

    Map<String, String> erasures = Map.of("stream", IngressMetrics.ERASURES);
    assertThat(ingress.metric(IngressMetrics.ACCEPTED, erasures)).isEqualTo(1.0);
    assertThat(ingress.metric(IngressMetrics.REJECTED, erasures)).isEqualTo(2.0);
    assertThat(
            ingress.metric(
                IngressMetrics.RECEIPTS, Map.of("status", ReceiptStatus.REJECTED.name())))
        .isEqualTo(1.0);
  }

  private static void assertCompletedWithBothModels(TestRecord<String, ErasureReceipt> record) {
    assertThat(record.key()).isEqualTo("r-1");
    ErasureReceipt receipt = record.value();
    assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(receipt.getReason()).isNull();
    assertThat(receipt.getScope()).isEqualTo(ErasureScope.SUBJECT);
    assertThat(receipt.getRequester()).isEqualTo("privacy-system");
    assertThat(receipt.getModels())
        .extracting(
            ModelErasure::getModel,
            ModelErasure::getGuarantee,
            ModelErasure::getFirstVersionWithout)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ANALYTIC, ErasureGuarantee.EXACT, 7L),
            org.assertj.core.groups.Tuple.tuple(HYPERNET, ErasureGuarantee.EXACT, 12L));
    assertThat(receipt.getRequestedAt()).isEqualTo(TestRecords.T0);
    assertThat(receipt.getCompletedAt()).isEqualTo(TestRecords.T0.plusMillis(250));
    assertThat(receipt.getLatencyMs()).isEqualTo(250);
  }
}
