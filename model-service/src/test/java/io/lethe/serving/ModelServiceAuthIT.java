package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.BearerTokens;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service started with {@code --http-token-file}: predictions and model descriptions need one of
 * the file's tokens, health, readiness and metrics do not, and a refusal is a counted 401 with a
 * challenge and the API's JSON error.
 */
class ModelServiceAuthIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String MODEL = "m-auth";
  private static final String TOKEN = "the-right-token-0123456789";
  private static final String OLD_TOKEN = "the-old-token-still-listed-01";

  @TempDir static Path dir;

  private static ModelService service;

  @BeforeAll
  static void start() throws Exception {
    String topic = KafkaExtension.uniqueTopicName("models");
    KAFKA.createTopic(topic);
    try (AnalyticLearner analytic = TestModels.analytic()) {
      TestModels.learn(analytic, "s", 20, 1L);
      TestModels.publish(KAFKA, topic, TestModels.snapshot(analytic, MODEL, 1));
    }
    Path tokens =
        Files.writeString(
            dir.resolve("tokens"),
            "# the service's callers\n" + TOKEN + "\n" + OLD_TOKEN + "\n",
            StandardCharsets.UTF_8);
    service =
        ModelService.start(
            TestModels.settings(KAFKA, topic).withHttpTokens(BearerTokens.load(tokens)));
    Await.until("the service is ready", BOUND, service::ready);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  private static ServiceClient client(String authorization) {
    return new ServiceClient(service.port(), authorization);
  }

  @Test
  void shouldAnswerEveryApiRouteOnlyWithAListedToken() {
    float[][] rows = TestModels.rows(1, 3L);
    for (String authorization : new String[] {"Bearer " + TOKEN, "Bearer " + OLD_TOKEN}) {
      ServiceClient caller = client(authorization);
      assertThat(caller.get("/v1/models").status()).isEqualTo(200);
      assertThat(caller.get("/v1/models/" + MODEL).status()).isEqualTo(200);
      ServiceClient.Reply predicted = caller.predict(MODEL, null, rows);
      assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
      assertThat(predicted.json().get("version").asLong()).isEqualTo(1);
      assertThat(caller.get("/v1/nothing").status()).isEqualTo(404);
    }
  }

  @Test
  void shouldRefuseAnonymousAndWrongCredentialsWithAChallenge() {
    float[][] rows = TestModels.rows(1, 4L);
    String[][] refusals = {
      {null, "this endpoint needs a credential: send Authorization: Bearer <token>"},
      {"Bearer not-" + TOKEN, "the bearer token is not valid here"},
      {
        "Basic dXNlcjpwYXNz",
        "this endpoint takes a bearer token: send Authorization: Bearer <token>"
      }
    };
    for (String[] refusal : refusals) {
      ServiceClient caller = client(refusal[0]);
      for (ServiceClient.Reply reply :
          new ServiceClient.Reply[] {
            caller.get("/v1/models"),
            caller.get("/v1/models/" + MODEL),
            caller.predict(MODEL, null, rows),
            caller.get("/v1/nothing")
          }) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        assertThat(reply.headers().firstValue("WWW-Authenticate"))
            .contains("Bearer realm=\"lethe\"");
        assertThat(reply.headers().firstValue("Content-Type"))
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(reply.json().get("error").asText()).isEqualTo(refusal[1]);
        assertThat(reply.body()).doesNotContain(TOKEN);
      }
    }
  }

  @Test
  void shouldKeepHealthReadinessAndMetricsOpenAndCountRefusalsByReason() {
    ServiceClient anonymous = client(null);
    assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
    assertThat(anonymous.get("/readyz").status()).isEqualTo(200);
    client("Bearer wrong-token-000000000").get("/v1/models");
    anonymous.get("/v1/models");

    ServiceClient.Reply metrics = anonymous.get("/metrics");

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "lethe_serving_http_auth_refusals_total{reason=\"invalid\",route=\"/v1/models\"}",
            "lethe_serving_http_auth_refusals_total{reason=\"missing\",route=\"/v1/models\"}",
            "lethe_serving_http_responses_total{route=\"/v1/models\",status=\"401\"}")
        .doesNotContain(TOKEN, "wrong-token");
  }
}
