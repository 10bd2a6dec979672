package io.lethe.ingress;

import static io.lethe.ingress.IngressDriver.affects;
import static io.lethe.ingress.IngressDriver.appliedBy;
import static io.lethe.ingress.IngressDriver.erasure;
import static io.lethe.ingress.IngressDriver.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import io.lethe.testing.MetricsDoc;
import io.lethe.validation.DeadLetterHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.internals.StreamThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ingress (Kafka Streams, exactly-once v2) on a real KRaft broker and the embedded schema
 * registry. The learner job does not exist yet, so this test plays its part by writing the
 * affected-models and per-model confirmation records.
 */
class IngressIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir Path stateDir;

  @Test
  void shouldAnswerAnErasureWithAReceiptNamingTheSnapshotVersionAlsoOverHttp() throws Exception {
    TopicNames names = TopicNames.defaults();
    LetheTopics topics = LetheTopics.create(names, kafka.registryClient());
    IngressApp.Connection connection =
        new IngressApp.Connection(
            "lethe-ingress-it", kafka.bootstrapServers(), stateDir, 0, "localhost");
    try (IngressApp app =
        IngressApp.start(
            connection, topics, names, IngressDriver.CATALOG, IngressSettings.defaults())) {
      Await.until(
          "ingress running", BOUND, () -> app.streams().state() == KafkaStreams.State.RUNNING);

      Instant requestedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      kafka.produce(
          topics.erasuresRaw(),
          "u-1",
          erasure("r-it-1", "u-1").setRequestedAt(requestedAt).build());

      // The learner job's part: read the validated request, answer for two models.
      ConsumerRecord<String, ErasureRequest> validated =
          kafka.consume(topics.erasures(), 1, BOUND).get(0);
      assertThat(validated.key()).isEqualTo("u-1");
      assertThat(validated.value().getRequestId()).isEqualTo("r-it-1");
      kafka.produce(
          topics.erasuresAffected(),
          "r-it-1",
          affects("r-it-1", "fmnist-analytic", "fmnist-hypernet"));
      kafka.produce(topics.erasuresApplied(), "r-it-1", appliedBy("r-it-1", "fmnist-hypernet", 12));
      kafka.produce(topics.erasuresApplied(), "r-it-1", appliedBy("r-it-1", "fmnist-analytic", 7));

      ConsumerRecord<String, ErasureReceipt> receipt =
          kafka.consume(topics.receipts(), 1, BOUND).get(0);
      assertThat(receipt.key()).isEqualTo("r-it-1");
      assertThat(receipt.value().getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
      assertThat(receipt.value().getModels())
          .extracting(ModelErasure::getModel, ModelErasure::getFirstVersionWithout)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("fmnist-analytic", 7L),
              org.assertj.core.groups.Tuple.tuple("fmnist-hypernet", 12L));
      assertThat(receipt.value().getRequestedAt()).isEqualTo(requestedAt);
      assertThat(receipt.value().getLatencyMs())
          .isEqualTo(receipt.value().getCompletedAt().toEpochMilli() - requestedAt.toEpochMilli())
          .isNotNegative();

      int port = app.httpPort().orElseThrow();
      HttpResponse<String> status = get(port, "r-it-1");
      assertThat(status.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(status.body());
      assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(body.get("latencyMs").asLong()).isEqualTo(receipt.value().getLatencyMs());
      assertThat(body.get("completedAt").asText())
          .isEqualTo(receipt.value().getCompletedAt().toString());
      assertThat(body.get("models").get(0).get("model").asText()).isEqualTo("fmnist-analytic");
      assertThat(body.get("models").get(0).get("firstVersionWithout").asLong()).isEqualTo(7);
      assertThat(body.get("models").get(1).get("model").asText()).isEqualTo("fmnist-hypernet");
      assertThat(body.get("models").get(1).get("firstVersionWithout").asLong()).isEqualTo(12);

      HttpResponse<String> unknown = get(port, "no-such-request");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(unknown.body()).get("error").asText())
          .isEqualTo("unknown erasure request 'no-such-request'");

      // /metrics is open: Lethe's names, Kafka Streams' and its clients' own metrics, the JVM's
      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      MetricsDoc.Scrape scrape = MetricsDoc.parse(metrics.body());
      assertThat(metrics.body())
          .contains("lethe_ingress_receipts_total{status=\"COMPLETED\"} 1.0")
          .contains("lethe_ingress_accepted_total{stream=\"erasures\"} 1.0")
          .contains("lethe_ingress_erasure_to_receipt_seconds_count 1")
          .contains(
              "lethe_ingress_http_responses_total{route=\"/v1/erasures/{requestId}\",status=\"404\"}"
                  + " 1.0");
      assertThat(scrape.has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
      assertThat(scrape.has("kafka_stream_thread_process_total")).isTrue();
      assertThat(scrape.has("kafka_stream_alive_stream_threads")).isTrue();
      // states as their number in Kafka Streams' enums
      assertThat(scrape.samples().get("kafka_stream_client_state"))
          .extracting(MetricsDoc.Sample::value)
          .containsExactly((double) KafkaStreams.State.RUNNING.ordinal());
      assertThat(scrape.samples().get("kafka_stream_thread_thread_state"))
          .extracting(MetricsDoc.Sample::value)
          .containsOnly((double) StreamThread.State.RUNNING.ordinal());
      assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
      assertThat(scrape.hasPrefix("kafka_lethe_ingress")).isFalse();
    }
  }

  @Test
  void shouldDeadLetterGarbageAndStillForwardTheNextValidSample() throws Exception {
    TopicNames names = TopicNames.defaults();
    LetheTopics topics = LetheTopics.create(names, kafka.registryClient());
    IngressApp.Connection connection =
        new IngressApp.Connection(
            "lethe-ingress-it-samples", kafka.bootstrapServers(), stateDir, -1, "localhost");
    try (IngressApp app =
        IngressApp.start(
            connection, topics, names, IngressDriver.CATALOG, IngressSettings.defaults())) {
      Await.until(
          "ingress running", BOUND, () -> app.streams().state() == KafkaStreams.State.RUNNING);
      byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
      kafka.produce(
          names.samplesRaw(),
          "u-9".getBytes(StandardCharsets.UTF_8),
          garbage,
          Serdes.ByteArray().serializer(),
          Serdes.ByteArray().serializer());
      TrainingSample valid = sample("s-it-1", "u-9").build();
      kafka.produce(topics.samplesRaw(), "u-9", valid);

      List<ConsumerRecord<String, TrainingSample>> forwarded =
          kafka.consume(topics.samples(), 1, BOUND);
      assertThat(forwarded.get(0).value()).isEqualTo(valid);
      ConsumerRecord<String, DeadLetter> dead = kafka.consume(topics.deadLetter(), 1, BOUND).get(0);
      assertThat(dead.value().getKind()).isEqualTo(DeadLetterKind.MALFORMED);
      assertThat(dead.value().getSourceTopic()).isEqualTo(names.samplesRaw());
      assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.REASON))
          .isEqualTo(dead.value().getReason());
      assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.OFFSET))
          .isEqualTo(String.valueOf(dead.value().getSourceOffset()));
      assertThat(
              app.streams().metrics().entrySet().stream()
                  .filter(
                      e ->
                          e.getKey().group().equals(IngressMetrics.GROUP)
                              && e.getKey().name().equals(IngressMetrics.ACCEPTED)
                              && IngressMetrics.SAMPLES.equals(e.getKey().tags().get("stream")))
                  .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                  .sum())
          .isEqualTo(1.0);
    }
  }

  private static HttpResponse<String> get(int port, String requestId) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    return client.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/erasures/" + requestId))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
