package io.lethe.job;

import static io.lethe.job.JobTestBench.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.ingress.IngressApp;
import io.lethe.ingress.IngressSettings;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ModelErasure;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress and the learner job together on one broker: samples and an erasure request enter
 * through the raw topics, and the receipt on {@code lethe.receipts} (and the HTTP status endpoint)
 * names the snapshot version from which the subject's data no longer has influence.
 */
class ErasureReceiptEndToEndIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir static Path dir;
  private static JobTestBench bench;
  private static IngressApp ingress;

  @BeforeAll
  static void start() throws Exception {
    bench = new JobTestBench(kafka, dir, 300, new CatalogLearners());
    ingress =
        IngressApp.start(
            new IngressApp.Connection(
                "lethe-ingress-e2e",
                kafka.bootstrapServers(),
                dir.resolve("streams"),
                0,
                "localhost"),
            bench.topics,
            TopicNames.defaults(),
            bench.catalog,
            IngressSettings.defaults());
    Await.until(
        "ingress running", BOUND, () -> ingress.streams().state() == KafkaStreams.State.RUNNING);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ingress != null) {
      ingress.close();
    }
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldAnswerAnErasureThroughTheIngressWithTheFirstVersionWithoutTheData() throws Exception {
    bench.produceRawSamples(bench.samples);
    bench.awaitSnapshot(s -> JobTestBench.learned(s) == bench.samples.size());

    Instant requestedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    kafka.produce(
        bench.topics.erasuresRaw(),
        "u-5",
        JobTestBench.subjectErasure("r-e2e", "u-5", requestedAt));

    ConsumerRecord<String, ErasureReceipt> record =
        kafka.consume(bench.topics.receipts(), 1, BOUND).get(0);
    ErasureReceipt receipt = record.value();
    assertThat(record.key()).isEqualTo("r-e2e");
    assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
    assertThat(receipt.getModels()).hasSize(1);
    ModelErasure analytic = receipt.getModels().get(0);
    assertThat(analytic.getModel()).isEqualTo(JobTestBench.MODEL);
    assertThat(analytic.getGuarantee()).isEqualTo(ErasureGuarantee.EXACT);
    ModelSnapshot first =
        bench.awaitSnapshot(s -> s.getVersion() == analytic.getFirstVersionWithout());
    assertThat(first.getLineage().getErasuresReflected()).containsExactly("r-e2e");
    long subjectSamples =
        bench.samples.stream().filter(s -> s.getSubjectId().equals("u-5")).count();
    assertThat(JobTestBench.learned(first)).isEqualTo(bench.samples.size() - subjectSamples);
    assertThat(receipt.getLatencyMs())
        .isEqualTo(receipt.getCompletedAt().toEpochMilli() - requestedAt.toEpochMilli());
    System.out.printf(
        "ErasureReceiptEndToEndIT: receipt for r-e2e after %d ms, first version without the data"
            + " %d%n",
        receipt.getLatencyMs(), analytic.getFirstVersionWithout());

    HttpResponse<String> status =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:"
                                + ingress.httpPort().orElseThrow()
                                + "/v1/erasures/r-e2e"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(status.body());
    assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(body.get("models").get(0).get("model").asText()).isEqualTo(JobTestBench.MODEL);
    assertThat(body.get("models").get(0).get("firstVersionWithout").asLong())
        .isEqualTo(analytic.getFirstVersionWithout());
  }
}
