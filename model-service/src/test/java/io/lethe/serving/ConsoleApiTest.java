package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.BearerTokens;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.serving.console.Console;
import io.lethe.serving.console.ConsoleSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's HTTP contract on a real Javalin server with a model in its table and no broker: the
 * page and its files are open and locked down by a content security policy, its data views need the
 * bearer token like the API, and every refusal is JSON in the service's words.
 */
class ConsoleApiTest {
  private static final String MODEL = "m-analytic";
  private static final String TOKEN = "console-test-token-0123456789";

  private static ModelTable table;
  private static LearnerStatusTable learners;
  private static Console console;
  private static PredictionApi api;
  private static ServiceClient anonymous;
  private static ServiceClient client;

  @BeforeAll
  static void start() {
    ServiceMetrics metrics = new ServiceMetrics();
    table = new ModelTable(metrics, Clock.systemUTC());
    learners = new LearnerStatusTable(Clock.systemUTC(), Duration.ofSeconds(10));
    try (AnalyticLearner analytic = TestModels.analytic()) {
      TestModels.learn(analytic, "s", 30, 1L);
      assertThat(table.offer(TestModels.snapshot(analytic, MODEL, 1))).isEmpty();
    }
    ServingSettings settings =
        new ServingSettings("127.0.0.1:1", "http://unused", "unused", "127.0.0.1", 0, 65536, 4, 1)
            .withHttpTokens(BearerTokens.of(TOKEN));
    // never started: its followers would need a broker; the views answer from what it holds
    console =
        new Console(
            ConsoleSettings.defaults().withEvaluation(heldOut()),
            KafkaClientConfig.none(),
            settings.bootstrapServers(),
            new ConsoleBridge(table, learners),
            (topic, bytes) -> (ErasureRequest) null,
            (topic, bytes) -> (ErasureReceipt) null,
            Clock.systemUTC());
    api = new PredictionApi(table, learners, () -> null, metrics, settings, console);
    api.start();
    anonymous = new ServiceClient(api.port());
    client = new ServiceClient(api.port(), "Bearer " + TOKEN);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    if (console != null) {
      console.close();
    }
    if (table != null) {
      table.close();
    }
  }

  /** 400 rows of the four classes {@link TestModels#learn} teaches. */
  private static LabeledSet heldOut() {
    SplittableRandom random = new SplittableRandom(99L);
    float[][] rows = new float[400][];
    int[] labels = new int[400];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = i % 4;
      rows[i] = TestModels.row(random, labels[i]);
    }
    return new LabeledSet("test rows", rows, labels);
  }

  @Test
  void shouldServeThePageWithoutATokenUnderAStrictPolicy() {
    ServiceClient.Reply page = anonymous.get("/console/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .isEqualTo(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors"
                + " 'none'");
    assertThat(page.body()).contains("<script src=\"console.js\" defer></script>");
    assertThat(anonymous.get("/console/console.js").status()).isEqualTo(200);
    assertThat(anonymous.get("/console/console.css").status()).isEqualTo(200);

    ServiceClient.Reply bare = anonymous.get("/console");
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.headers().firstValue("Location")).contains("/console/");
  }

  @Test
  void shouldRequireTheTokenForTheDataViewsAndOtherPaths() {
    for (String path :
        new String[] {"/console/api/overview", "/console/api/erasures?q=u-1", "/console/x.js"}) {
      ServiceClient.Reply refused = anonymous.get(path);
      assertThat(refused.status()).as(path).isEqualTo(401);
      assertThat(refused.json().path("error").asText())
          .isEqualTo("this endpoint needs a credential: send Authorization: Bearer <token>");
    }
    ServiceClient.Reply missing = client.get("/console/x.js");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error").asText()).isEqualTo("the console has no file x.js");
  }

  @Test
  void shouldDescribeTheServedModelsWithTheirLearnerStatus() {
    ServiceClient.Reply overview = client.get("/console/api/overview");
    assertThat(overview.status()).isEqualTo(200);
    assertThat(overview.headers().firstValue("Cache-Control")).contains("no-store");
    var model = overview.json().path("models").path(0);
    assertThat(model.path("name").asText()).isEqualTo(MODEL);
    assertThat(model.path("version").asLong()).isEqualTo(1);
    assertThat(model.path("learner_status").asText()).isEqualTo("unknown");
    assertThat(overview.json().path("evaluation").path("rows").asInt()).isEqualTo(400);
    assertThat(overview.json().path("erasures").path("pending").asInt()).isZero();
  }

  @Test
  void shouldRefuseAnOverlongSearch() {
    ServiceClient.Reply refused = client.get("/console/api/erasures?q=" + "x".repeat(257));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().path("error").asText())
        .isEqualTo("the search has 257 characters; the limit is 256");
    assertThat(client.get("/console/api/erasures?q=").json().path("matched").asInt()).isZero();
  }

  @Test
  void shouldAnswer405ForAnotherMethodOnThePage() {
    ServiceClient.Reply refused = client.request("POST", "/console/", "application/json", "{}");
    assertThat(refused.status()).isEqualTo(405);
    assertThat(refused.json().path("error").asText())
        .isEqualTo("POST is not allowed on /console/; use GET");
  }
}
