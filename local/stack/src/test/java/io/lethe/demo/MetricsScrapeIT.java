package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.records.ErasureRequest;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.testing.Await;
import io.lethe.testing.MetricsDoc;
import io.lethe.testing.TestRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What Prometheus sees of a running stack: after samples are learned, an erasure completes and a
 * bad record is dead-lettered, the scrapes of the job (Flink's reporter), the ingress and the model
 * service together export every name that docs/metrics.md lists (the names deploy/'s rules and
 * dashboard may use), each of them has JVM metrics, and the lag metrics are there.
 */
class MetricsScrapeIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String MODEL = TinyStack.MODEL;
  private static final int SAMPLES = 40;
  private static final Duration SCRAPE_POLL = Duration.ofMillis(250);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldExportEveryDocumentedMetricFromTheThreeScrapes() throws Exception {
    try (EmbeddedStack stack = TinyStack.start()) {
      Await.until(
          "the learner job to run",
          BOUND,
          () -> stack.learnerJob().getJobStatus().get() == JobStatus.RUNNING);
      String ingressMetrics = "http://127.0.0.1:" + stack.ingressPort() + "/metrics";
      String serviceMetrics = stack.serviceUrl() + "/metrics";

      feed(stack);
      awaitScrape(
          "the job to learn the samples",
          BOUND,
          () ->
              sum(
                      scrape(stack.jobMetricsUrl()),
                      "flink_taskmanager_job_task_operator_samplesLearned")
                  >= SAMPLES);
      erase(stack);
      awaitScrape(
          "the erasure's receipt",
          BOUND,
          () ->
              scrapeText(ingressMetrics)
                  .contains("lethe_ingress_receipts_total{status=\"COMPLETED\"} 1.0"));
      awaitScrape(
          "the service to serve a version",
          BOUND,
          () -> sum(scrape(serviceMetrics), "lethe_serving_model_version") >= 1);
      // heartbeats are read as the job commits them, independently of the snapshots
      awaitScrape(
          "the service to see a committed learner heartbeat",
          BOUND,
          () -> scrape(serviceMetrics).has("lethe_serving_learner_heartbeat_age_seconds"));

      // a prediction, a request without a token at each API, a snapshot the service refuses
      HttpResponse<String> predicted =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(stack.serviceUrl() + "/v1/models/" + MODEL + ":predict"))
                  .header("Authorization", "Bearer " + stack.httpToken())
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"instances\": [{\"features\": [0.1, 0.2, 0.3, 0.4]}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
      assertThat(status(stack.serviceUrl() + "/v1/models")).isEqualTo(401);
      assertThat(status("http://127.0.0.1:" + stack.ingressPort() + "/v1/erasures/r-scrape"))
          .isEqualTo(401);
      publishUndecodableSnapshot(stack);
      awaitScrape(
          "the service to refuse the snapshot",
          BOUND,
          () -> sum(scrape(serviceMetrics), "lethe_serving_snapshots_refused_total") >= 1);

      Map<String, MetricsDoc.Scrape> scrapes = new LinkedHashMap<>();
      scrapes.put("job", scrape(stack.jobMetricsUrl()));
      scrapes.put("ingress", scrape(ingressMetrics));
      scrapes.put("service", scrape(serviceMetrics));

      Set<String> missing = new TreeSet<>();
      for (String name : MetricsDoc.allNames()) {
        if (scrapes.values().stream().noneMatch(s -> s.has(name))) {
          missing.add(name);
        }
      }
      assertThat(missing).as("documented names no scrape exports").isEmpty();

      // JVM metrics from each process
      assertThat(scrapes.get("job").has("flink_taskmanager_Status_JVM_Memory_Heap_Used")).isTrue();
      assertThat(scrapes.get("job").has("flink_jobmanager_Status_JVM_Memory_Heap_Used")).isTrue();
      assertThat(scrapes.get("ingress").has("jvm_memory_used_bytes")).isTrue();
      assertThat(scrapes.get("service").has("jvm_memory_used_bytes")).isTrue();
      assertThat(scrapes.get("ingress").has("process_cpu_seconds_total")).isTrue();
      assertThat(scrapes.get("service").has("process_cpu_seconds_total")).isTrue();

      // lag: the job's per model (in time) and its sources' (in records), the clients' own
      assertThat(
              values(
                  scrapes.get("job"), "flink_taskmanager_job_task_operator_model_inputLagMillis"))
          .as("the model's input lag, in ms")
          .containsKey(MODEL)
          .allSatisfy((model, lag) -> assertThat(lag).isGreaterThan(0));
      assertThat(scrapes.get("job").has("flink_taskmanager_job_task_operator_pendingRecords"))
          .isTrue();
      assertThat(scrapes.get("ingress").has("kafka_consumer_fetch_manager_records_lag_max"))
          .isTrue();
      assertThat(scrapes.get("service").has("kafka_consumer_fetch_manager_records_lag_max"))
          .isTrue();

      // what happened is counted under the documented names
      assertThat(scrapeText(ingressMetrics))
          .contains("lethe_ingress_rejected_total{reason=\"malformed\",stream=\"samples\"} 1.0")
          .contains("lethe_ingress_erasure_to_receipt_seconds_count 1");
      assertThat(sum(scrapes.get("job"), "flink_taskmanager_job_task_operator_erasuresApplied"))
          .isEqualTo(1);
    }
  }

  /** {@link #SAMPLES} samples of the tiny dataset and one record that is not Avro at all. */
  private static void feed(EmbeddedStack stack) throws Exception {
    Properties props = TinyStack.feed(stack, "scrape-test", SAMPLES);
    String topic = stack.topics().samplesRaw().name();
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topic, "not avro".getBytes(StandardCharsets.UTF_8))).get();
    }
  }

  /** Erases subject u-1 from the model, as the privacy principal. */
  private static void erase(EmbeddedStack stack) throws Exception {
    ErasureRequest request =
        ErasureRequest.newBuilder(TestRecords.erasureRequest("r-scrape", "u-1"))
            .setDataset("tiny")
            .setModels(List.of(MODEL))
            .setRequestedAt(Instant.now())
            .build();
    Properties props =
        KafkaClientConfig.load(stack.kafkaPrincipals().orElseThrow().file(Principal.PRIVACY))
            .layerAsProperties(
                stack.bootstrapServers(), "scrape-test", Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    try (KafkaProducer<String, ErasureRequest> producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            stack.topics().erasuresRaw().valueSerde().serializer())) {
      producer
          .send(new ProducerRecord<>(stack.topics().erasuresRaw().name(), "u-1", request))
          .get();
    }
  }

  /**
   * Waits on a condition that scrapes, polling every {@link #SCRAPE_POLL} rather than {@link
   * Await}'s 50 ms: a scrape of the job's reporter is not free on a small machine.
   */
  private static void awaitScrape(String description, Duration bound, Callable<Boolean> condition) {
    Awaitility.await(description)
        .atMost(bound)
        .pollDelay(Duration.ZERO)
        .pollInterval(SCRAPE_POLL)
        .until(condition);
  }

  /** Writes bytes that are no snapshot to the models topic, as the Kafka administrator. */
  private static void publishUndecodableSnapshot(EmbeddedStack stack) throws Exception {
    Properties props =
        stack
            .adminClientConfig()
            .layerAsProperties(
                stack.bootstrapServers(), "scrape-test", Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  stack.topics().models().name(),
                  MODEL.getBytes(StandardCharsets.UTF_8),
                  "not a snapshot".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  /** The status of a GET of {@code url} without credentials. */
  private int status(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private String scrapeText(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  private MetricsDoc.Scrape scrape(String url) throws Exception {
    return MetricsDoc.parse(scrapeText(url));
  }

  /** The sum of every sample of {@code name}. */
  private static double sum(MetricsDoc.Scrape scrape, String name) {
    return scrape.samples().getOrDefault(name, List.of()).stream()
        .mapToDouble(MetricsDoc.Sample::value)
        .sum();
  }

  /** The samples of {@code name} by their {@code model} label. */
  private static Map<String, Double> values(MetricsDoc.Scrape scrape, String name) {
    Map<String, Double> byModel = new LinkedHashMap<>();
    for (MetricsDoc.Sample sample : scrape.samples().getOrDefault(name, List.of())) {
      byModel.put(sample.label("model"), sample.value());
    }
    return byModel;
  }
}
