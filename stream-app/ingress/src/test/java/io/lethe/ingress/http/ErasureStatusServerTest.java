package io.lethe.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.ingress.receipts.ReceiptJson;
import io.lethe.ingress.receipts.RequestInfo;
import io.lethe.records.ErasureReceipt;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.snapshot.TrustedKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status endpoint's HTTP contract, with a fixed lookup instead of Kafka Streams. */
class ErasureStatusServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_780_000_000_000L;
  private static final RequestInfo REQUEST = new RequestInfo("r-1", "SUBJECT", "dpo", T0);
  private static final ModelConfirmation ANALYTIC =
      new ModelConfirmation("fmnist-analytic", "EXACT", null, 7L, T0 + 40);
  private static final ModelConfirmation HYPERNET =
      new ModelConfirmation("fmnist-hypernet", "APPROXIMATE", "noise alignment", 12L, T0 + 60);

  private final HttpClient client = HttpClient.newHttpClient();
  private ErasureStatusServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldReportAPendingRequestWithTheModelsItAwaits() throws Exception {
    ErasureState pending =
        ErasureState.unknown("r-1", T0)
            .withRequest(REQUEST)
            .withAffected(List.of("fmnist-analytic", "fmnist-hypernet"))
            .withConfirmation(ANALYTIC);
    start(ErasureStatusLookup.of(Map.of("r-1", pending)));

    HttpResponse<String> response = get("/v1/erasures/r-1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("PENDING");
    assertThat(body.get("awaitingModels").get(0).asText()).isEqualTo("fmnist-hypernet");
    assertThat(body.get("models").get(0).get("firstVersionWithout").asLong()).isEqualTo(7);
  }

  @Test
  void shouldRepeatTheReceiptOfACompletedRequest() throws Exception {
    ErasureState completed =
        ErasureState.unknown("r-1", T0)
            .withRequest(REQUEST)
            .withAffected(List.of("fmnist-analytic", "fmnist-hypernet"))
            .withConfirmation(HYPERNET)
            .withConfirmation(ANALYTIC)
            .completed(T0 + 250);
    start(ErasureStatusLookup.of(Map.of("r-1", completed)));

    JsonNode body = JSON.readTree(get("/v1/erasures/r-1").body());

    assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(body.get("latencyMs").asLong()).isEqualTo(250);
    assertThat(body.get("models").get(0).get("model").asText()).isEqualTo("fmnist-analytic");
    assertThat(body.get("models").get(1).get("guarantee").asText()).isEqualTo("APPROXIMATE");
    assertThat(body.get("models").get(1).get("reason").asText()).isEqualTo("noise alignment");
  }

  @Test
  void shouldCarryTheSignatureOfTheReceiptWhenSigning(@TempDir Path dir) throws Exception {
    ErasureState completed =
        ErasureState.unknown("r-1", T0)
            .withRequest(REQUEST)
            .withAffected(List.of("fmnist-analytic", "fmnist-hypernet"))
            .withConfirmation(HYPERNET)
            .withConfirmation(ANALYTIC)
            .completed(T0 + 250);
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    ReceiptSigner signer = ReceiptSigner.fromFile(keys.privateKey());
    server =
        ErasureStatusServer.start(
            "127.0.0.1", 0, ErasureStatusLookup.of(Map.of("r-1", completed)), signer);

    JsonNode body = JSON.readTree(get("/v1/erasures/r-1").body());

    assertThat(body.get("signingKeyId").asText()).isEqualTo(keys.keyId());
    ErasureReceipt receipt = completed.toReceipt();
    signer.sign(receipt);
    assertThat(Base64.getDecoder().decode(body.get("signature").asText()))
        .isEqualTo(receipt.getSignature().array());
    ErasureReceipt served = ReceiptJson.read(body);
    assertThat(served).isEqualTo(receipt);
    assertThat(TrustedKeys.load(List.of(keys.publicKey())).check(served))
        .isEqualTo(TrustedKeys.Check.VALID);
  }

  @Test
  void shouldServeNoSignatureWithoutASigner() throws Exception {
    ErasureState rejected =
        ErasureState.unknown("r-1", T0).rejected(REQUEST, "erasure request r-1 has no ids", T0);
    start(ErasureStatusLookup.of(Map.of("r-1", rejected)));

    JsonNode body = JSON.readTree(get("/v1/erasures/r-1").body());

    assertThat(body.has("signature")).isFalse();
    assertThat(body.has("signingKeyId")).isFalse();
  }

  @Test
  void shouldReportARejectedRequestWithItsReason() throws Exception {
    ErasureState rejected =
        ErasureState.unknown("r-1", T0).rejected(REQUEST, "erasure request r-1 has no ids", T0);
    start(ErasureStatusLookup.of(Map.of("r-1", rejected)));

    JsonNode body = JSON.readTree(get("/v1/erasures/r-1").body());

    assertThat(body.get("status").asText()).isEqualTo("REJECTED");
    assertThat(body.get("reason").asText()).isEqualTo("erasure request r-1 has no ids");
  }

  @Test
  void shouldAnswer404WithAJsonErrorForAnUnknownRequest() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    HttpResponse<String> response = get("/v1/erasures/r-404");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .isEqualTo("unknown erasure request 'r-404'");
  }

  @Test
  void shouldAnswer503WhileTheStoreCannotBeQueried() throws Exception {
    start(id -> new ErasureStatusLookup.Unavailable("rebalancing"));

    HttpResponse<String> response = get("/v1/erasures/r-1");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
  }

  @Test
  void shouldRedirectToTheInstanceHoldingTheRequest() throws Exception {
    start(id -> new ErasureStatusLookup.ElsewhereAt("http://ingress-2:8090"));

    HttpResponse<String> response = get("/v1/erasures/r%201");

    assertThat(response.statusCode()).isEqualTo(307);
    assertThat(response.headers().firstValue("Location"))
        .contains("http://ingress-2:8090/v1/erasures/r%201");
  }

  @Test
  void shouldAnswer405WithAllowForOtherMethods() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    HttpResponse<String> delete = send("DELETE", "/v1/erasures/r-1");
    HttpResponse<String> post = send("POST", "/healthz");

    assertRefused(delete, 405, "DELETE is not allowed on /v1/erasures/{requestId}; use GET");
    assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertRefused(post, 405, "POST is not allowed on /healthz; use GET");
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void shouldAnswerHeadLikeGetWithoutABody() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    HttpResponse<String> response = send("HEAD", "/v1/erasures/r-404");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void shouldAnswer404WithJsonForAnUnknownPath() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));
    String routes =
        "; this endpoint serves GET /v1/erasures/{requestId}, GET /healthz, GET /readyz";

    assertRefused(get("/nope"), 404, "no endpoint GET /nope" + routes);
    assertRefused(send("DELETE", "/v1/erasures"), 404, "no endpoint DELETE /v1/erasures" + routes);
  }

  @Test
  void shouldAnswer400ForABlankRequestId() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    assertRefused(
        get("/v1/erasures/"), 400, "the request id is blank; use GET /v1/erasures/{requestId}");
    assertRefused(
        get("/v1/erasures/%20%20"),
        400,
        "the request id is blank; use GET /v1/erasures/{requestId}");
  }

  @Test
  void shouldAnswer400ForAnOverlongRequestId() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    assertRefused(
        get("/v1/erasures/" + "r".repeat(257)),
        400,
        "the request id has 257 characters; at most 256 are accepted");
    assertRefused(
        get("/v1/erasures/" + "r".repeat(256)),
        404,
        "unknown erasure request '" + "r".repeat(256) + "'");
  }

  @Test
  void shouldAnswer400ForARequestIdWithControlCharacters() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    assertRefused(
        get("/v1/erasures/r%00-1"),
        400,
        "the request id has a control character at index 1; request ids are printable text");
    assertRefused(
        get("/v1/erasures/r-1%0A"),
        400,
        "the request id has a control character at index 3; request ids are printable text");
  }

  @Test
  void shouldAnswer500WithAFixedMessageWhenTheLookupFails() throws Exception {
    start(
        id -> {
          throw new IllegalStateException("secret detail of the state store");
        });

    HttpResponse<String> response = get("/v1/erasures/r-1");

    assertRefused(
        response,
        500,
        "the erasure status endpoint failed to answer this request; the cause is in its log");
    assertThat(response.body()).doesNotContain("secret", "IllegalState");
    assertThat(server.responses("/v1/erasures/{requestId}", 500)).isEqualTo(1);
  }

  @Test
  void shouldAnswerHealthWhileRunning() throws Exception {
    start(id -> new ErasureStatusLookup.Unavailable("the ingress is starting"));

    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void shouldAnswerReadyOnlyOnceTheLookupIsReady() throws Exception {
    AtomicReference<String> notReady = new AtomicReference<>("restoring the erasure store");
    start(
        new ErasureStatusLookup() {
          @Override
          public Answer find(String requestId) {
            return new NotFound();
          }

          @Override
          public Optional<String> notReadyReason() {
            return Optional.ofNullable(notReady.get());
          }
        });

    HttpResponse<String> starting = get("/readyz");
    notReady.set(null);
    HttpResponse<String> ready = get("/readyz");

    assertThat(starting.statusCode()).isEqualTo(503);
    assertThat(starting.body())
        .isEqualTo("{\"status\":\"not ready\",\"reason\":\"restoring the erasure store\"}");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
  }

  @Test
  void shouldBeReadyByDefault() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldCountEveryResponseByRouteAndStatus() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    get("/v1/erasures/r-404");
    get("/v1/erasures/r-404");
    get("/v1/erasures/" + "r".repeat(300));
    send("DELETE", "/v1/erasures/r-1");
    get("/healthz");
    get("/readyz");
    get("/nope");

    assertThat(server.responseCounts())
        .isEqualTo(
            Map.of(
                new ErasureStatusServer.ResponseKey("/v1/erasures/{requestId}", 404), 2L,
                new ErasureStatusServer.ResponseKey("/v1/erasures/{requestId}", 400), 1L,
                new ErasureStatusServer.ResponseKey("/v1/erasures/{requestId}", 405), 1L,
                new ErasureStatusServer.ResponseKey("/healthz", 200), 1L,
                new ErasureStatusServer.ResponseKey("/readyz", 200), 1L,
                new ErasureStatusServer.ResponseKey("unmatched", 404), 1L));
    Object count =
        java.lang.management.ManagementFactory.getPlatformMBeanServer()
            .getAttribute(
                new javax.management.ObjectName(
                    "io.lethe.ingress:type=erasure-status-http,port="
                        + server.port()
                        + ",route="
                        + javax.management.ObjectName.quote("/v1/erasures/{requestId}")
                        + ",status=404"),
                "Count");
    assertThat(count).as("the count over JMX").isEqualTo(2L);
  }

  /** Status, the exact message as the only field, and no library's words in the body. */
  private static void assertRefused(HttpResponse<String> response, int status, String message)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("error").asText()).isEqualTo(message);
    assertThat(body.size()).isEqualTo(1);
    assertThat(response.body()).doesNotContainIgnoringCase("exception").doesNotContain("java.");
  }

  private void start(ErasureStatusLookup lookup) throws Exception {
    server = ErasureStatusServer.start(0, lookup);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + server.port() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
