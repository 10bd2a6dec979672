package io.lethe.loadtests.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.demo.EmbeddedStack;
import io.lethe.ingress.IngressSettings;
import io.lethe.loadtests.campaign.BadInputCampaign.Report;
import io.lethe.loadtests.campaign.CampaignPlan.Kind;
import io.lethe.validation.Rejection;
import io.lethe.validation.SampleValidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The seeded bad-input campaign through the whole embedded stack (broker, registry, ingress with
 * exactly-once, the learner job on a Flink MiniCluster, the model service): over 10,000 malformed,
 * oversized, invalid, duplicate and reused-id records among valid traffic, and every input
 * accounted for once. Replay a failure with {@code -Dlethe.campaign.seed=N}; the counts go to the
 * test's output and to {@code target/bad-input-campaign.txt}.
 */
class BadInputCampaignIT {
  private static final long SEED = Long.getLong("lethe.campaign.seed", 20261207L);
  private static final Duration BOUND = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldAccountForEveryInputOfTheCampaignAndEndOnTheOfflineRetrain() throws Exception {
    CampaignPlan plan =
        CampaignPlan.of(SEED, CampaignPlan.Sizes.ci(IngressSettings.defaults().maxRecordBytes()));
    assertThat(plan.sizes().badRecords()).isGreaterThanOrEqualTo(10_000);
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            BadInputCampaign.catalog(),
            new EmbeddedStack.Ports(0, "dashboard", 0, "serve", 0, "ingress"),
            Duration.ofSeconds(1),
            System.out)) {
      Report report =
          BadInputCampaign.run(
              plan,
              new BadInputCampaign.Stack(
                  stack.bootstrapServers(),
                  stack.topics(),
                  EmbeddedStack.INGRESS_APPLICATION_ID,
                  BOUND,
                  System.out,
                  // the campaign feeds raw topics and reads every outcome: the administrator
                  stack.adminClientConfig().kafkaProperties()));
      String described = report.describe();
      System.out.println(described);
      Files.writeString(Path.of("target", "bad-input-campaign.txt"), described);

      assertThat(report.problems()).isEmpty();
      assertThat(report.distance()).isLessThanOrEqualTo(BadInputCampaign.EXACTNESS_BAR);
      assertThat(report.learned()).isEqualTo(report.retained()).isPositive();
      assertThat(report.ingressDeadLettersByCode())
          .containsKeys(
              Rejection.MALFORMED,
              Rejection.RECORD_TOO_LARGE,
              Rejection.DUPLICATE_SAMPLE,
              Rejection.REQUEST_ID_REUSED,
              SampleValidator.NON_FINITE_FEATURE,
              SampleValidator.WRONG_FEATURE_COUNT,
              SampleValidator.LABEL_OUT_OF_RANGE);
      assertThat(report.ingressDeadLettersByCode().get(Rejection.RECORD_TOO_LARGE))
          .isEqualTo(plan.count(Kind.OVERSIZED));
      assertThat(report.ingressDeadLettersByCode().get(Rejection.REQUEST_ID_REUSED))
          .isEqualTo(plan.count(Kind.REUSED_REQUEST_ID));

      // Nothing died on the way: no stream thread, no job restart.
      assertThat(stack.ingress().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(
              stack.ingress().streams().metrics().entrySet().stream()
                  .filter(e -> e.getKey().name().equals("failed-stream-threads"))
                  .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                  .sum())
          .isZero();
      assertThat(jobFailures(stack.dashboardPort())).isZero();
    }
  }

  /**
   * The failures the learner job went through, from the Flink REST API's exception history: every
   * restart has one, so none means the job ran through without restarting.
   */
  private static long jobFailures(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    JsonNode jobs = JSON.readTree(get(http, port, "/jobs/overview")).get("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("state").asText()).isEqualTo("RUNNING");
    String jid = jobs.get(0).get("jid").asText();
    JsonNode history = JSON.readTree(get(http, port, "/jobs/" + jid + "/exceptions"));
    JsonNode entries = history.path("exceptionHistory").path("entries");
    assertThat(entries.isArray()).as("exception history of the learner job: %s", history).isTrue();
    return entries.size();
  }

  private static String get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
