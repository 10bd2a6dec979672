package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.job.FlinkRestClient;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

/**
 * A learner job cancelled through the Flink REST API, as an operator would, on the real embedded
 * stack: within 30 seconds the model service reports the model's learner as not running, in {@code
 * GET /v1/models/{model}} and in {@code /metrics}, and the demo stops with a clear message and a
 * non-zero exit status.
 */
class LearnerLivenessIT {
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(30);
  private static final Duration START_BOUND = Duration.ofSeconds(90);
  private static final String MODEL = TinyStack.MODEL;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  /** {@code Bearer} and the stack's token, which the model service requires. */
  private String authorization;

  @Test
  void shouldReportTheLearnerOfACancelledJobAsNotRunningWithinThirtySeconds() throws Exception {
    try (EmbeddedStack stack = TinyStack.start()) {
      authorization = "Bearer " + stack.httpToken();
      feed(stack, 20);
      String describe = stack.serviceUrl() + "/v1/models/" + MODEL;
      // the first heartbeat can come before the learner has learned the 20 samples
      Await.until(
          "the service serves " + MODEL + " with its learner running and the samples learned",
          START_BOUND,
          () -> {
            JsonNode model = json(describe);
            return "running".equals(model.path("learner_status").asText())
                && model.path("learner_heartbeat").path("samples_learned").asLong() >= 20;
          });
      JsonNode running = json(describe);
      assertThat(running.path("learner_heartbeat").path("samples_learned").asLong()).isEqualTo(20);
      assertThat(running.path("snapshot_age_seconds").asDouble()).isGreaterThanOrEqualTo(0);
      assertThat(metrics(stack)).contains(up(1));
      // the stack's service trusts only the stack's key: a served version is a signed one
      assertThat(stack.signingKeyId()).matches("[0-9a-f]{16}");
      assertThat(metrics(stack))
          .doesNotContain("reason=\"unsigned\"")
          .doesNotContain("reason=\"unknown_key\"")
          .doesNotContain("reason=\"bad_signature\"");
      CompletableFuture<String> stopped = new CompletableFuture<>();
      try (LearnerWatch watch =
          LearnerWatch.start(
              stack.learnerJob(),
              stack.serviceUrl(),
              authorization,
              List.of(MODEL),
              stopped::complete)) {
        assertThat(stopped).isNotDone();

        stack.flinkRest().restClient().cancel(stack.learnerJob().getJobID().toString());
        long cancelled = System.nanoTime();

        Await.until(
            "the service reports the learner of " + MODEL + " as not running",
            remaining(cancelled),
            () -> "not-running".equals(json(describe).path("learner_status").asText()));
        Await.until(
            "/metrics says the learner of " + MODEL + " is down",
            remaining(cancelled),
            () -> metrics(stack).contains(up(0)));
        assertThat(stopped.get(remaining(cancelled).toMillis(), TimeUnit.MILLISECONDS))
            .startsWith("the learner job " + stack.learnerJob().getJobID() + " is canceled")
            .endsWith(
                "erasures are no longer applied and the served models no longer change, so"
                    + " everything is stopped");
      }
      JsonNode stale = json(describe);
      assertThat(stale.path("learner_heartbeat").path("age_seconds").asDouble())
          .isGreaterThan(stale.path("learner_heartbeat").path("stale_after_seconds").asDouble());
      assertThat(stale.path("version").asLong()).isPositive(); // still served: /readyz stays 200
      assertThat(status(stack.serviceUrl() + "/readyz")).isEqualTo(200);
    }
  }

  @Test
  void shouldStopTheDemoWithExitStatusThreeWhenItsLearnerJobIsCancelled() throws Exception {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      // slow enough that the first task is still streaming when the job is cancelled
      Future<Integer> demo =
          runner.submit(
              () ->
                  DemoMain.run(
                      new String[] {
                        "--models", "analytic",
                        "--tasks", "2",
                        "--samples-per-task", "1000",
                        "--rate", "40",
                        "--buffer-size", "64",
                        "--dashboard-port", "0",
                        "--serve-port", "0",
                        "--ingress-port", "0",
                        "--metrics-port", "0"
                      },
                      out,
                      err));
      Pattern dashboard = Pattern.compile("Flink dashboard\\s+http://localhost:(\\d+)");
      Pattern rest =
          Pattern.compile(
              "Flink REST API\\s+(https://127\\.0\\.0\\.1:\\d+) \\(client certificate:"
                  + " FLINK_CONF_DIR=(\\S+)\\)");
      Await.until(
          "the demo serves a first version",
          START_BOUND,
          () ->
              demo.isDone()
                  || outBytes.toString(StandardCharsets.UTF_8).contains(Demo.ANALYTIC + " v"));
      assertThat(demo).as(outBytes + "\n" + errBytes).isNotDone();
      Matcher port = dashboard.matcher(outBytes.toString(StandardCharsets.UTF_8));
      assertThat(port.find()).isTrue();
      int dashboardPort = Integer.parseInt(port.group(1));
      String jobId = runningJob(dashboardPort);

      // what a person does with the printed Flink client configuration
      Matcher restLine = rest.matcher(outBytes.toString(StandardCharsets.UTF_8));
      assertThat(restLine.find()).as(outBytes.toString(StandardCharsets.UTF_8)).isTrue();
      FlinkRestTls tls =
          FlinkRestTls.fromConfiguration(GlobalConfiguration.loadConfiguration(restLine.group(2)))
              .orElseThrow();
      new FlinkRestClient(restLine.group(1), tls.sslContext()).cancel(jobId);

      int status = demo.get(DETECTION_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      String printed = errBytes.toString(StandardCharsets.UTF_8);
      assertThat(status).as(printed).isEqualTo(LearnerWatch.EXIT_STATUS);
      assertThat(printed)
          .contains("lethe demo: stopped: the learner job " + jobId + " is canceled")
          .contains("erasures are no longer applied");
    } finally {
      runner.shutdownNow();
      System.out.println(outBytes.toString(StandardCharsets.UTF_8));
      System.out.println(errBytes.toString(StandardCharsets.UTF_8));
    }
  }

  /** {@code count} samples of the tiny dataset through the ingress, alternating labels. */
  private static void feed(EmbeddedStack stack, int count) {
    TinyStack.feed(stack, "liveness-test", count);
  }

  /** The id of the one running job on the dashboard at {@code port}. */
  private String runningJob(int port) throws Exception {
    JsonNode jobs = json("http://localhost:" + port + "/jobs").path("jobs");
    for (JsonNode job : jobs) {
      if ("RUNNING".equals(job.path("status").asText())) {
        return job.path("id").asText();
      }
    }
    throw new AssertionError("no running job on the dashboard: " + jobs);
  }

  private static String up(int value) {
    return "lethe_serving_learner_up{model=\"" + MODEL + "\"} " + value + ".0";
  }

  private static Duration remaining(long since) {
    return DETECTION_BOUND.minusNanos(System.nanoTime() - since);
  }

  private String metrics(EmbeddedStack stack) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(stack.serviceUrl() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private int status(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The JSON at {@code url}, or a missing node if it does not answer 200. */
  private JsonNode json(String url) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (authorization != null) {
      request.header("Authorization", authorization); // the model service's, not Flink's
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.missingNode();
  }
}
