package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.analytic.AnalyticLearner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API's HTTP contract for hostile and misdirected requests, on a real Javalin server with a
 * model in its table but no broker: every refusal is JSON with a message of Lethe's own, never a
 * library's exception text, and is counted.
 */
class PredictionApiTest {
  private static final String MODEL = "m-analytic";
  private static final String PREDICT = "/v1/models/" + MODEL + ":predict";
  private static final int MAX_BODY = 64 * 1024;
  private static final Supplier<String> READY = () -> null;

  private static ServiceMetrics metrics;
  private static ModelTable table;
  private static PredictionApi api;
  private static ServiceClient client;
  private static volatile Supplier<String> readiness = READY;

  @BeforeAll
  static void start() {
    metrics = new ServiceMetrics();
    table = new ModelTable(metrics, Clock.systemUTC());
    try (AnalyticLearner analytic = TestModels.analytic()) {
      TestModels.learn(analytic, "s", 30, 1L);
      assertThat(table.offer(TestModels.snapshot(analytic, MODEL, 1))).isEmpty();
    }
    api =
        new PredictionApi(
            table,
            new LearnerStatusTable(Clock.systemUTC(), Duration.ofSeconds(10)),
            () -> readiness.get(),
            metrics,
            new ServingSettings(
                "unused:9092", "http://unused", "unused", "127.0.0.1", 0, MAX_BODY, 4, 1));
    api.start();
    client = new ServiceClient(api.port());
  }

  @AfterEach
  void ready() {
    readiness = READY;
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    if (table != null) {
      table.close();
    }
  }

  @Test
  void shouldAnswer400ForDeeplyNestedBody() {
    double before = predictRequests(MODEL, 400);

    assertRefused(
        client.post(PREDICT, "[".repeat(5_000)),
        400,
        "the request body is nested deeper than 64 levels; a predict request needs 4");
    assertRefused(
        client.post(PREDICT, "{\"a\":".repeat(5_000)),
        400,
        "the request body is nested deeper than 64 levels; a predict request needs 4");

    assertThat(predictRequests(MODEL, 400)).isEqualTo(before + 2);
    assertStillScores();
  }

  @Test
  void shouldReadABodyNestedExactlyAtTheLimit() {
    String deepest = "[".repeat(64) + "]".repeat(64);

    assertRefused(
        client.post(PREDICT, deepest),
        400,
        "the request body must be a JSON object with an 'instances' array");
  }

  @Test
  void shouldAnswer400ForOverlongNumbersAndStrings() {
    String number = "1" + "0".repeat(100);
    assertRefused(
        client.post(PREDICT, "{\"instances\": [{\"features\": [" + number + "]}]}"),
        400,
        "the request body has a value longer than the service reads (line 1, column 131):"
            + " numbers have at most 100 characters, strings 4096, field names 256");
    String task = "t".repeat(4_097);
    assertRefused(
        client.post(PREDICT, "{\"instances\": [{\"task\": \"" + task + "\"}]}"),
        400,
        "the request body has a value longer than the service reads (line 1, column 4124):"
            + " numbers have at most 100 characters, strings 4096, field names 256");
    assertStillScores();
  }

  @Test
  void shouldAnswer400ForABlankBodyOrContentAfterTheObject() {
    assertRefused(
        client.post(PREDICT, "  \n "), 400, "the request body is empty; send a JSON object");
    assertRefused(
        client.post(PREDICT, "{\"instances\": []} {}"),
        400,
        "the request body is not valid JSON (line 1, column 19)");
  }

  @Test
  void shouldAnswer500WithAFixedMessageWhenAHandlerFails() {
    readiness =
        () -> {
          throw new IllegalStateException("secret detail of io.lethe.serving.SnapshotFollower");
        };

    double before = responses("/readyz", 500);

    ServiceClient.Reply reply = client.get("/readyz");

    assertRefused(
        reply, 500, "the model service failed to answer this request; the cause is in its log");
    assertThat(reply.body()).doesNotContain("secret", "IllegalState");
    assertThat(responses("/readyz", 500)).isEqualTo(before + 1);
    readiness = READY;
    assertThat(client.get("/readyz").status()).isEqualTo(200);
  }

  @Test
  void shouldAnswer415ForTextPlainBody() {
    double before = predictRequests(MODEL, 415);

    assertRefused(
        client.request("POST", PREDICT, "text/plain", validBody()),
        415,
        "the request body is text/plain; send it as application/json");

    assertThat(predictRequests(MODEL, 415)).isEqualTo(before + 1);
  }

  /** curl's default for {@code -d}. */
  @Test
  void shouldAnswer415ForFormEncodedBody() {
    assertRefused(
        client.request("POST", PREDICT, "application/x-www-form-urlencoded", validBody()),
        415,
        "the request body is application/x-www-form-urlencoded; send it as application/json");
  }

  @Test
  void shouldAnswer415ForBodyWithoutContentType() {
    assertRefused(
        client.request("POST", PREDICT, null, validBody()),
        415,
        "the request has no Content-Type; send the body as application/json");
  }

  @Test
  void shouldAcceptJsonWithACharsetParameterInAnyCase() {
    assertThat(
            client
                .request("POST", PREDICT, "application/json; charset=utf-8", validBody())
                .status())
        .isEqualTo(200);
    assertThat(client.request("POST", PREDICT, "Application/JSON", validBody()).status())
        .isEqualTo(200);
  }

  @Test
  void shouldAnswer405WithAllowForGetOnPredict() {
    ServiceClient.Reply reply = client.get(PREDICT);

    assertRefused(reply, 405, "GET is not allowed on /v1/models/{model}:predict; use POST");
    assertThat(reply.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void shouldAnswer405WithAllowForPostOnAModel() {
    ServiceClient.Reply reply = client.post("/v1/models/" + MODEL, validBody());

    assertRefused(
        reply,
        405,
        "POST is not allowed on /v1/models/{model}; use GET"
            + " (predictions are POST /v1/models/{model}:predict)");
    assertThat(reply.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void shouldAnswer405WithAllowForOtherMethodsOnKnownRoutes() {
    assertNotAllowed(
        "DELETE", "/v1/models", "DELETE is not allowed on /v1/models; use GET", "GET, HEAD");
    assertNotAllowed("POST", "/healthz", "POST is not allowed on /healthz; use GET", "GET, HEAD");
    assertNotAllowed(
        "PUT", PREDICT, "PUT is not allowed on /v1/models/{model}:predict; use POST", "POST");
    assertNotAllowed(
        "DELETE",
        "/v1/models/" + MODEL,
        "DELETE is not allowed on /v1/models/{model}; use GET",
        "GET, HEAD");
    // what Allow promises
    assertThat(client.request("HEAD", "/healthz", null, null).status()).isEqualTo(200);
  }

  @Test
  void shouldAnswer404WithJsonForAnUnknownPath() {
    String routes =
        "; the API serves POST /v1/models/{model}:predict, GET /v1/models, GET /v1/models/{model},"
            + " GET /healthz, GET /readyz, GET /metrics, GET /console/, GET /console/api/{view},"
            + " GET /v2/health/live, GET /v2/health/ready, GET /v2,"
            + " GET /v2/models/{model}[/versions/{version}],"
            + " GET /v2/models/{model}[/versions/{version}]/ready,"
            + " POST /v2/models/{model}[/versions/{version}]/infer";
    assertRefused(client.get("/nope"), 404, "no endpoint GET /nope" + routes);
    assertRefused(
        client.request("DELETE", "/v1/models/a/b", null, null),
        404,
        "no endpoint DELETE /v1/models/a/b" + routes);
  }

  /** Jetty refuses these before Javalin sees them; the answer is still the API's. */
  @Test
  void shouldAnswer400WithJsonForAMalformedPath() {
    double before = responses("unmatched", 400);

    assertRefused(
        client.raw("GET /v1/models/a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        400,
        "the request is not valid HTTP: check the path's %-escapes and the headers");
    assertRefused(
        client.raw("GET /v1/models/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        400,
        "the request is not valid HTTP: check the path's %-escapes and the headers");

    assertThat(responses("unmatched", 400)).isEqualTo(before + 2);
    assertStillScores();
  }

  @Test
  void shouldAnswer431WithJsonForHeadersTooLarge() {
    double before = responses("unmatched", 431);

    assertRefused(
        client.raw(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "x".repeat(16 * 1024)
                + "\r\nConnection: close\r\n\r\n"),
        431,
        "the request headers are too large");

    assertThat(responses("unmatched", 431)).isEqualTo(before + 1);
  }

  @Test
  void shouldCountEveryResponseByRouteAndStatus() {
    String predict = "/v1/models/{model}:predict";
    Map<String, Double> before = new LinkedHashMap<>();
    for (String series :
        List.of(
            predict + " 200",
            predict + " 400",
            predict + " 405",
            predict + " 413",
            predict + " 415",
            "/v1/models/{model} 404",
            "/healthz 200",
            "/v1/models 405",
            "unmatched 404")) {
      String[] routeAndStatus = series.split(" ");
      before.put(series, responses(routeAndStatus[0], Integer.parseInt(routeAndStatus[1])));
    }
    double scored = predictRequests(MODEL, 200);
    double tooLarge = predictRequests(MODEL, 413);
    double notServed = predictRequests("", 404);
    double wrongMethod = predictRequests("", 405);

    client.post(PREDICT, validBody());
    client.post(PREDICT, "{");
    client.get(PREDICT);
    client.post(PREDICT, validBody() + " ".repeat(MAX_BODY));
    client.request("POST", PREDICT, "text/plain", validBody());
    client.post("/v1/models/nope:predict", validBody());
    client.get("/v1/models/nope");
    client.get("/healthz");
    client.request("DELETE", "/v1/models", null, null);
    client.get("/nope");

    Map<String, Double> after = new LinkedHashMap<>();
    before.forEach(
        (series, count) -> {
          String[] routeAndStatus = series.split(" ");
          after.put(
              series, responses(routeAndStatus[0], Integer.parseInt(routeAndStatus[1])) - count);
        });
    assertThat(after)
        .isEqualTo(
            Map.of(
                predict + " 200",
                1.0,
                predict + " 400",
                1.0,
                predict + " 405",
                1.0,
                predict + " 413",
                1.0,
                predict + " 415",
                1.0,
                "/v1/models/{model} 404",
                1.0,
                "/healthz 200",
                1.0,
                "/v1/models 405",
                1.0,
                "unmatched 404",
                1.0));
    // predict requests keep their model label when the model is served, else ""
    assertThat(predictRequests(MODEL, 200)).isEqualTo(scored + 1);
    assertThat(predictRequests(MODEL, 413)).isEqualTo(tooLarge + 1);
    assertThat(predictRequests("", 404)).isEqualTo(notServed + 1);
    assertThat(predictRequests("", 405)).isEqualTo(wrongMethod + 1);
  }

  @Test
  void shouldExportValidPrometheusText() {
    client.get("/nope");
    client.get(PREDICT);

    ServiceClient.Reply reply = client.get("/metrics");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    String name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    String label = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\n]|\\\\[\\\\\"n])*\"";
    Pattern sample = Pattern.compile(name + "(?:\\{" + label + "(?:," + label + ")*\\})? \\S+");
    Pattern comment = Pattern.compile("# (?:HELP " + name + " .*|TYPE " + name + " \\w+)");
    assertThat(reply.body().lines())
        .allSatisfy(
            line ->
                assertThat(sample.matcher(line).matches() || comment.matcher(line).matches())
                    .as(line)
                    .isTrue());
    assertThat(reply.body())
        .contains(
            "lethe_serving_http_responses_total{route=\"unmatched\",status=\"404\"}",
            "lethe_serving_http_responses_total{route=\"/v1/models/{model}:predict\",status=\"405\"}");
  }

  private static void assertNotAllowed(String method, String path, String message, String allow) {
    ServiceClient.Reply reply = client.request(method, path, null, null);
    assertRefused(reply, 405, message);
    assertThat(reply.headers().firstValue("Allow")).as(method + " " + path).hasValue(allow);
  }

  private static String validBody() {
    return "{\"instances\": [{\"features\": [" + "0,".repeat(19) + "0]}]}";
  }

  /** Status, the exact message as the only field, and no library's words in the body. */
  static void assertRefused(ServiceClient.Reply reply, int status, String message) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(reply.json().get("error").asText()).isEqualTo(message);
    assertThat(reply.json().size()).isEqualTo(1);
    assertThat(reply.body())
        .doesNotContainIgnoringCase("exception")
        .doesNotContainIgnoringCase("jackson")
        .doesNotContainIgnoringCase("javalin")
        .doesNotContainIgnoringCase("jetty")
        .doesNotContain("java.", "com.fasterxml", "StreamReadConstraints");
  }

  /** The service answers a valid request after the refusals. */
  private static void assertStillScores() {
    ServiceClient.Reply reply = client.predict(MODEL, null, new float[][] {new float[20]});
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
  }

  /** {@code lethe_serving_predict_requests_total{model, status}} as exported, 0 if absent. */
  static double predictRequests(String model, int status) {
    return sample(
        "lethe_serving_predict_requests_total{model=\"" + model + "\",status=\"" + status + "\"}");
  }

  /** {@code lethe_serving_http_responses_total{route, status}} as exported, 0 if absent. */
  static double responses(String route, int status) {
    return sample(
        "lethe_serving_http_responses_total{route=\"" + route + "\",status=\"" + status + "\"}");
  }

  /** The value of the sample {@code series} (name and labels) in the scrape, 0 if absent. */
  static double sample(String series) {
    String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
    Matcher line =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }
}
