package io.lethe.ingress.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.cli.Cli;
import io.lethe.ingress.http.ErasureStatusLookup;
import io.lethe.ingress.http.ErasureStatusServer;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.ingress.receipts.ReceiptJson;
import io.lethe.ingress.receipts.RequestInfo;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.snapshot.SigningKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lethe verify-receipt} on receipts in files and from a real status endpoint: a signed,
 * unchanged receipt passes and prints what it proves; an unsigned one, one signed by an unknown key
 * and one with any field changed fail with one line.
 */
class VerifyReceiptMainTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

  @TempDir Path dir;
  private SigningKeys.GeneratedKeys keys;
  private ReceiptSigner signer;

  /** What a run printed and returned. */
  record Ran(int code, String out, String err) {}

  static Ran verify(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        VerifyReceiptMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Ran(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void makeKeys() {
    keys = SigningKeys.generate(dir.resolve("keys"));
    signer = ReceiptSigner.fromFile(keys.privateKey());
  }

  private static ErasureReceipt receipt() {
    return ErasureReceipt.newBuilder()
        .setRequestId("r-1")
        .setScope(ErasureScope.SUBJECT)
        .setRequester("dpo@example.com")
        .setStatus(ReceiptStatus.COMPLETED)
        .setModels(
            List.of(
                ModelErasure.newBuilder()
                    .setModel("fmnist-analytic")
                    .setGuarantee(ErasureGuarantee.EXACT)
                    .setFirstVersionWithout(7L)
                    .setAppliedAt(T0.plusMillis(900))
                    .build(),
                ModelErasure.newBuilder()
                    .setModel("fmnist-hypernet")
                    .setGuarantee(ErasureGuarantee.REJECTED)
                    .setReason("the hypernetwork learner cannot erase single subjects")
                    .setAppliedAt(T0.plusMillis(1000))
                    .build()))
        .setRequestedAt(T0)
        .setCompletedAt(T0.plusMillis(1500))
        .setLatencyMs(1500)
        .build();
  }

  private ErasureReceipt signed() {
    ErasureReceipt receipt = receipt();
    signer.sign(receipt);
    return receipt;
  }

  private Path file(ErasureReceipt receipt, Consumer<ObjectNode> change) throws Exception {
    ObjectNode json = ReceiptJson.write(receipt, JSON.createObjectNode());
    change.accept(json);
    Path file = Files.createTempFile(dir, "receipt", ".json");
    return Files.writeString(file, JSON.writeValueAsString(json));
  }

  @Test
  void shouldPassASignedUnchangedReceiptAndPrintWhatItProves() throws Exception {
    Ran ran =
        verify(
            "--trusted-keys",
            keys.publicKey().toString(),
            "--file",
            file(signed(), json -> {}).toString());

    assertThat(ran.code()).as(ran.err()).isEqualTo(Cli.OK);
    assertThat(ran.err()).isEmpty();
    assertThat(ran.out().lines())
        .containsExactly(
            "Verified: the receipt of erasure request 'r-1' is signed by trusted key "
                + keys.keyId()
                + " and unchanged.",
            "  request:   scope SUBJECT, requested by dpo@example.com at 2026-01-02T03:04:05.678Z",
            "  status:    COMPLETED at 2026-01-02T03:04:07.178Z, 1500 ms after the request",
            "  model fmnist-analytic: EXACT, first version without the data 7, applied at"
                + " 2026-01-02T03:04:06.578Z",
            "  model fmnist-hypernet: REJECTED, no version without the data, applied at"
                + " 2026-01-02T03:04:06.678Z (the hypernetwork learner cannot erase single"
                + " subjects)");
  }

  @Test
  void shouldFailAReceiptWithAChangedGuaranteeOrFirstVersion() throws Exception {
    Path guarantee =
        file(
            signed(),
            json -> ((ObjectNode) json.get("models").get(1)).put("guarantee", "APPROXIMATE"));
    Path version =
        file(
            signed(),
            json -> ((ObjectNode) json.get("models").get(0)).put("firstVersionWithout", 6));
    Path requester = file(signed(), json -> json.put("requester", "someone@example.com"));

    for (Path tampered : List.of(guarantee, version, requester)) {
      Ran ran =
          verify("--trusted-keys", keys.publicKey().toString(), "--file", tampered.toString());
      assertThat(ran.code()).as(tampered.toString()).isEqualTo(Cli.FAILED);
      assertThat(ran.out()).isEmpty();
      assertThat(ran.err())
          .isEqualTo(
              "lethe verify-receipt: the receipt of erasure request 'r-1' does not match its"
                  + " signature by key "
                  + keys.keyId()
                  + ": it was changed after it was signed"
                  + System.lineSeparator());
    }
  }

  @Test
  void shouldFailAnUnsignedReceipt() throws Exception {
    Ran ran =
        verify(
            "--trusted-keys",
            keys.publicKey().toString(),
            "--file",
            file(receipt(), json -> {}).toString());

    assertThat(ran.code()).isEqualTo(Cli.FAILED);
    assertThat(ran.err().strip())
        .isEqualTo(
            "lethe verify-receipt: the receipt of erasure request 'r-1' is not signed (the"
                + " ingress that issued it had no --signing-key)");
  }

  @Test
  void shouldFailAReceiptSignedByAKeyThatIsNotTrusted() throws Exception {
    SigningKeys.GeneratedKeys other = SigningKeys.generate(dir.resolve("other"));

    Ran ran =
        verify(
            "--trusted-keys",
            other.publicKey().toString(),
            "--file",
            file(signed(), json -> {}).toString());

    assertThat(ran.code()).isEqualTo(Cli.FAILED);
    assertThat(ran.err().strip())
        .isEqualTo(
            "lethe verify-receipt: the receipt of erasure request 'r-1' is signed by key "
                + keys.keyId()
                + ", which is not among the trusted keys ["
                + other.keyId()
                + "]");
  }

  @Test
  void shouldTrustAnyKeyOfSeveralAndFailAReceiptOfAnotherRequest() throws Exception {
    SigningKeys.GeneratedKeys other = SigningKeys.generate(dir.resolve("other"));
    String trusted = other.publicKey() + "," + keys.publicKey().getParent();
    Path file = file(signed(), json -> {});

    assertThat(verify("--trusted-keys", trusted, "--file", file.toString()).code())
        .isEqualTo(Cli.OK);
    Ran ran = verify("--trusted-keys", trusted, "--file", file.toString(), "--request-id", "r-2");
    assertThat(ran.code()).isEqualTo(Cli.FAILED);
    assertThat(ran.err().strip())
        .isEqualTo(
            "lethe verify-receipt: the receipt in "
                + file
                + " is for erasure request 'r-1', not 'r-2'");
  }

  @Test
  void shouldRefuseAFileThatIsNotAReceiptAsABadInputFile() throws Exception {
    Path file = file(signed(), json -> json.remove("models"));

    Ran ran = verify("--trusted-keys", keys.publicKey().toString(), "--file", file.toString());

    assertThat(ran.code()).isEqualTo(Cli.USAGE);
    assertThat(ran.err().strip())
        .isEqualTo(
            "lethe verify-receipt: Invalid value for option '--file': "
                + file
                + " is not a receipt: field 'models' is missing or not an array; see 'lethe"
                + " verify-receipt --help'");
  }

  @Test
  void shouldAskForExactlyOneSourceAndARequestIdWhereItIsNeeded() {
    String key = keys.publicKey().toString();

    Ran none = verify("--trusted-keys", key);
    Ran two = verify("--trusted-keys", key, "--file", "r.json", "--status-url", "http://h:1");
    Ran noId = verify("--trusted-keys", key, "--status-url", "http://h:1");

    assertThat(List.of(none.code(), two.code(), noId.code())).containsOnly(Cli.USAGE);
    assertThat(none.err()).contains("--file", "--status-url", "--bootstrap");
    assertThat(two.err()).contains("mutually exclusive");
    assertThat(noId.err().strip())
        .isEqualTo(
            "lethe verify-receipt: Missing required option: '--request-id=ID' (with"
                + " --status-url); see 'lethe verify-receipt --help'");
  }

  @Test
  void shouldFailWithOneLineWhenTheStatusEndpointCannotBeReached() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closed;

    Ran ran =
        verify(
            "--trusted-keys",
            keys.publicKey().toString(),
            "--status-url",
            url,
            "--request-id",
            "r-1",
            "--timeout",
            "5s");

    assertThat(ran.code()).isEqualTo(Cli.FAILED);
    assertThat(ran.err().lines()).hasSize(1);
    assertThat(ran.err().strip())
        .isEqualTo(
            "lethe verify-receipt: cannot reach " + url + "/v1/erasures/r-1: connection refused");
  }

  @Test
  void shouldVerifyTheReceiptOfTheStatusEndpointAndFailAPendingRequest() throws Exception {
    RequestInfo request = new RequestInfo("r-1", "SUBJECT", "dpo", T0.toEpochMilli());
    ModelConfirmation analytic =
        new ModelConfirmation("fmnist-analytic", "EXACT", null, 7L, T0.toEpochMilli() + 40);
    ErasureState completed =
        ErasureState.unknown("r-1", T0.toEpochMilli())
            .withRequest(request)
            .withAffected(List.of("fmnist-analytic"))
            .withConfirmation(analytic)
            .completed(T0.toEpochMilli() + 250);
    ErasureState pending =
        ErasureState.unknown("r 2", T0.toEpochMilli())
            .withRequest(new RequestInfo("r 2", "SUBJECT", "dpo", T0.toEpochMilli()));
    try (ErasureStatusServer server =
        ErasureStatusServer.start(
            "127.0.0.1",
            0,
            ErasureStatusLookup.of(Map.of("r-1", completed, "r 2", pending, "r-4", completed)),
            signer)) {
      String url = "http://127.0.0.1:" + server.port();
      String key = keys.publicKey().toString();

      Ran ok = verify("--trusted-keys", key, "--status-url", url, "--request-id", "r-1");
      Ran notYet = verify("--trusted-keys", key, "--status-url", url, "--request-id", "r 2");
      Ran unknown = verify("--trusted-keys", key, "--status-url", url + "/", "--request-id", "r-3");
      Ran other = verify("--trusted-keys", key, "--status-url", url, "--request-id", "r-4");

      assertThat(ok.code()).as(ok.err()).isEqualTo(Cli.OK);
      assertThat(ok.out())
          .contains("model fmnist-analytic: EXACT, first version without the data 7");
      assertThat(notYet.code()).isEqualTo(Cli.FAILED);
      assertThat(notYet.err().strip())
          .isEqualTo(
              "lethe verify-receipt: erasure request 'r 2' is PENDING: it has no receipt yet");
      assertThat(unknown.code()).isEqualTo(Cli.FAILED);
      assertThat(unknown.err().strip())
          .isEqualTo(
              "lethe verify-receipt: GET "
                  + url
                  + "/v1/erasures/r-3 answered 404: unknown erasure request 'r-3'");
      assertThat(other.code()).isEqualTo(Cli.FAILED);
      assertThat(other.err().strip())
          .isEqualTo(
              "lethe verify-receipt: the receipt at "
                  + url
                  + " is for erasure request 'r-1', not 'r-4'");
    }
  }
}
