package io.lethe.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.ingress.receipts.RequestInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
  void shouldRefuseOtherMethods() throws Exception {
    start(ErasureStatusLookup.of(Map.of()));

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri("/v1/erasures/r-1"))
                .DELETE()
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
  }

  private void start(ErasureStatusLookup lookup) throws Exception {
    server = ErasureStatusServer.start(0, lookup);
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
