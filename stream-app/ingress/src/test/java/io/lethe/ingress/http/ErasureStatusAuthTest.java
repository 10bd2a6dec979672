package io.lethe.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cli.BearerTokens;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.RequestInfo;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status endpoint started with bearer tokens: a status needs one, health and readiness do not,
 * and a refusal is a counted 401 with a challenge and the endpoint's JSON error.
 */
class ErasureStatusAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "privacy-system-token-0123";
  private static final long T0 = 1_780_000_000_000L;

  private final HttpClient client = HttpClient.newHttpClient();
  private ErasureStatusServer server;

  @BeforeEach
  void start() throws Exception {
    ErasureState pending =
        ErasureState.unknown("r-1", T0).withRequest(new RequestInfo("r-1", "SUBJECT", "dpo", T0));
    server =
        ErasureStatusServer.start(
            "127.0.0.1",
            0,
            ErasureStatusLookup.of(Map.of("r-1", pending)),
            null,
            BearerTokens.of(TOKEN));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldServeMetricsWithoutATokenOnceGivenThemAndCountTheResponses() throws Exception {
    assertThat(get("/metrics", null).statusCode()).as("not served yet").isEqualTo(404);

    server.serveMetrics(() -> "lethe_ingress_pending_erasures 0.0\n".getBytes());
    HttpResponse<String> response = get("/metrics", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).isEqualTo("lethe_ingress_pending_erasures 0.0\n");
    assertThat(server.responses("/metrics", 200)).isEqualTo(1);
    assertThat(server.responses(ErasureStatusServer.UNMATCHED, 404)).isEqualTo(1);
    assertThat(JSON.readTree(get("/nowhere", null).body()).get("error").asText())
        .endsWith("GET /readyz, GET /metrics");
  }

  @Test
  void shouldAnswerAStatusOnlyWithTheToken() throws Exception {
    HttpResponse<String> response = get("/v1/erasures/r-1", "Bearer " + TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("PENDING");
    assertThat(get("/v1/erasures/unknown", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldRefuseAnonymousAndWrongCredentialsWithAChallengeAndCountThem() throws Exception {
    String[][] refusals = {
      {null, "this endpoint needs a credential: send Authorization: Bearer <token>", "missing"},
      {"Bearer wrong-" + TOKEN, "the bearer token is not valid here", "invalid"},
      {
        "Basic ZHBvOnNlY3JldA==",
        "this endpoint takes a bearer token: send Authorization: Bearer <token>",
        "not_bearer"
      }
    };
    for (String[] refusal : refusals) {
      for (String path : new String[] {"/v1/erasures/r-1", "/v1/erasures/unknown"}) {
        HttpResponse<String> response = get(path, refusal[0]);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"lethe\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(refusal[1]);
        assertThat(response.body()).doesNotContain("PENDING", TOKEN);
      }
      assertThat(server.authRefusals(refusal[2])).as(refusal[2]).isEqualTo(2);
    }
    assertThat(server.responses("/v1/erasures/{requestId}", 401)).isEqualTo(6);
    Object overJmx =
        ManagementFactory.getPlatformMBeanServer()
            .getAttribute(
                new ObjectName(
                    "io.lethe.ingress:type=erasure-status-http-auth,port="
                        + server.port()
                        + ",reason="
                        + ObjectName.quote("invalid")),
                "Count");
    assertThat(overJmx).isEqualTo(2L);
  }

  @Test
  void shouldKeepHealthAndReadinessOpenForProbes() throws Exception {
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
