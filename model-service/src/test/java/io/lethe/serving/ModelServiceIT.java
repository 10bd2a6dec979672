package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticScorer;
import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Tensor;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import io.lethe.testing.MetricsDoc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service against the real broker: it follows the models topic, swaps in each newer version,
 * answers with the learner's own scores, and refuses corrupt, older and undecodable snapshots while
 * the current version keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServiceIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String MODEL = "fmnist-analytic";
  private static final float[][] INPUTS = TestModels.rows(6, 99L);

  private static String topic;
  private static AnalyticLearner learner;
  private static ModelService service;
  private static ServiceClient client;
  private static List<Prediction> expectedAtV2;

  @BeforeAll
  static void start() {
    topic = KafkaExtension.uniqueTopicName("models");
    KAFKA.createTopic(
        topic,
        1,
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES)));
    learner = TestModels.analytic();
    service = ModelService.start(settings());
    client = new ServiceClient(service.port());
  }

  /** Float64 scoring, so that the service's scores are the learner's bit for bit. */
  private static ServingSettings settings() {
    ScoringSettings defaults = ScoringSettings.defaults();
    return TestModels.settings(KAFKA, topic)
        .withScoring(
            new ScoringSettings(
                defaults.maxBatch(), defaults.batchWait(), BufferPrecision.FLOAT64));
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (learner != null) {
      learner.close();
    }
  }

  @Test
  @Order(1)
  void shouldServeEachNewVersionWithTheLearnersOwnScores() {
    Await.until("the empty topic is caught up", BOUND, service::ready);
    assertThat(client.get("/readyz").status()).isEqualTo(200);
    assertThat(client.get("/v1/models/" + MODEL).status()).isEqualTo(404);

    TestModels.learn(learner, "first", 40, 1L);
    publish(TestModels.snapshot(learner, MODEL, 1));
    Await.until("v1 is served", BOUND, () -> client.version(MODEL) == 1);
    assertPredictionsEqualTheLearners();

    TestModels.learn(learner, "second", 40, 2L);
    publish(TestModels.snapshot(learner, MODEL, 2));
    Await.until("v2 is served", BOUND, () -> client.version(MODEL) == 2);
    expectedAtV2 = assertPredictionsEqualTheLearners();

    JsonNode listed = client.get("/v1/models").json().get("models");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("name").asText()).isEqualTo(MODEL);
    assertThat(listed.get(0).get("learner").asText()).isEqualTo("ANALYTIC");
    assertThat(listed.get(0).get("version").asLong()).isEqualTo(2);

    JsonNode described = client.get("/v1/models/" + MODEL).json();
    assertThat(described.get("input_dim").asInt()).isEqualTo(TestModels.INPUTS);
    assertThat(described.get("classes").toString()).isEqualTo("[0,1,2,3]");
    JsonNode lineage = described.get("lineage");
    assertThat(lineage.get("previous_version").asLong()).isEqualTo(1);
    assertThat(lineage.get("samples_per_task").toString()).isEqualTo("{\"t0\":80,\"t1\":80}");
    assertThat(lineage.get("erasures_reflected").toString()).isEqualTo("[\"erase-2\"]");
  }

  /** The service's answer for INPUTS equals the learner's own scorer, label and scores exactly. */
  private static List<Prediction> assertPredictionsEqualTheLearners() {
    List<Prediction> expected;
    try (AnalyticScorer own = learner.scorer()) {
      expected = own.predict(INPUTS);
    }
    ServiceClient.Reply reply = client.predict(MODEL, null, INPUTS);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode predictions = reply.json().get("predictions");
    assertThat(predictions).hasSize(INPUTS.length);
    for (int i = 0; i < INPUTS.length; i++) {
      JsonNode got = predictions.get(i);
      assertThat(got.get("label").asInt())
          .as("label of row %d", i)
          .isEqualTo(expected.get(i).label());
      assertThat(got.get("score").asDouble()).isEqualTo(expected.get(i).score());
      double[] scores = new double[got.get("scores").size()];
      for (int c = 0; c < scores.length; c++) {
        scores[c] = got.get("scores").get(c).asDouble();
      }
      assertThat(scores).as("scores of row %d", i).containsExactly(expected.get(i).scores());
      assertThat(got.get("classes").toString()).isEqualTo("[0,1,2,3]");
    }
    return expected;
  }

  @Test
  @Order(2)
  void shouldRefuseACorruptAnOlderAndAnUndecodableSnapshotAndKeepServing() {
    ModelSnapshot corrupt = TestModels.snapshot(learner, MODEL, 3);
    Tensor head = corrupt.getTensors().get(0);
    ByteBuffer data = head.getData();
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    bytes[bytes.length / 2] ^= 0x01; // one flipped bit, the old checksum kept
    head.setData(ByteBuffer.wrap(bytes));
    publish(corrupt);
    publish(TestModels.snapshot(learner, MODEL, 1)); // valid, but older than the served v2
    publishRaw(MODEL, "not an avro record".getBytes(StandardCharsets.UTF_8));
    // a marker after them on the same partition: once it is served, the three were handled
    publish(TestModels.snapshot(learner, "marker", 1));
    Await.until("the marker is served", BOUND, () -> client.version("marker") == 1);

    assertThat(client.version(MODEL)).isEqualTo(2);
    ServiceClient.Reply reply = client.predict(MODEL, null, INPUTS);
    assertThat(reply.json().get("version").asLong()).isEqualTo(2);
    assertThat(reply.json().get("predictions").get(0).get("label").asInt())
        .isEqualTo(expectedAtV2.get(0).label());

    String metrics = client.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "lethe_serving_snapshots_refused_total{model=\""
                + MODEL
                + "\",reason=\"checksum\"} 1.0")
        .contains(
            "lethe_serving_snapshots_refused_total{model=\""
                + MODEL
                + "\",reason=\"stale_version\"} 1.0")
        .contains(
            "lethe_serving_snapshots_refused_total{model=\""
                + MODEL
                + "\",reason=\"undecodable\"} 1.0")
        .contains("lethe_serving_model_version{model=\"" + MODEL + "\"} 2.0")
        .contains("lethe_serving_snapshots_loaded_total{model=\"" + MODEL + "\"} 2.0")
        .contains("lethe_serving_ready 1.0");
  }

  @Test
  @Order(3)
  void shouldExportItsConsumersLagAndTheJvmsMetrics() {
    MetricsDoc.Scrape scrape = MetricsDoc.parse(client.get("/metrics").body());

    // the models topic's follower, the heartbeats' and the console's, by client id
    assertThat(scrape.samples().get("kafka_consumer_fetch_manager_records_lag_max"))
        .anyMatch(sample -> sample.labels().contains("client_id=\"lethe-model-service\""))
        .anyMatch(
            sample -> sample.labels().contains("client_id=\"lethe-model-service-learner-status\""))
        .anyMatch(
            sample ->
                sample.labels().contains("client_id=\"lethe-model-service-console-deadletter\""));
    assertThat(scrape.samples().get("kafka_consumer_fetch_manager_records_lag"))
        .anyMatch(sample -> sample.labels().contains("topic=\"" + topic + "\""));
    assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
    assertThat(scrape.has("process_cpu_seconds_total")).isTrue();
  }

  @Test
  @Order(3)
  void shouldBeReadyOnlyOnceCaughtUpWithTheTopic() {
    // a second instance starting on a topic with history: ready means every model is loaded
    try (ModelService second = ModelService.start(settings())) {
      ServiceClient secondClient = new ServiceClient(second.port());
      Await.until(
          "the second instance is ready",
          BOUND,
          () -> {
            ServiceClient.Reply readiness = secondClient.get("/readyz");
            if (readiness.status() == 503) {
              assertThat(readiness.json().get("reason").asText())
                  .containsAnyOf("catching up", "starting", "waiting for topic");
              return false;
            }
            return readiness.status() == 200;
          });
      assertThat(secondClient.version(MODEL)).isEqualTo(2);
      assertThat(secondClient.version("marker")).isEqualTo(1);
      assertThat(new String(second.scrapeMetrics(), StandardCharsets.UTF_8))
          .contains("lethe_serving_catch_up_records_remaining 0.0");
    }
  }

  @Test
  @Order(4)
  void shouldNeverAnswerFromAnOlderVersionWhileSwapping() throws Exception {
    int clients = 4;
    java.util.concurrent.atomic.AtomicBoolean swapping =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(clients);
    List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
    for (int c = 0; c < clients; c++) {
      answers.add(
          pool.submit(
              () -> {
                long last = 0;
                int count = 0;
                while (swapping.get() || count == 0) {
                  ServiceClient.Reply reply = client.predict(MODEL, null, INPUTS);
                  assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                  long version = reply.json().get("version").asLong();
                  assertThat(version).as("version after v%d", last).isGreaterThanOrEqualTo(last);
                  last = version;
                  count++;
                }
                return count;
              }));
    }
    try {
      for (long version = 3; version <= 8; version++) {
        TestModels.learn(learner, "swap" + version, 10, version);
        publish(TestModels.snapshot(learner, MODEL, version));
        long expected = version;
        Await.until("v" + version + " is served", BOUND, () -> client.version(MODEL) == expected);
      }
    } finally {
      swapping.set(false);
      pool.shutdown();
    }
    for (java.util.concurrent.Future<Integer> answered : answers) {
      assertThat(answered.get(60, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
    }
    assertPredictionsEqualTheLearners();
  }

  private static void publish(ModelSnapshot snapshot) {
    TestModels.publish(KAFKA, topic, snapshot);
  }

  private static void publishRaw(String key, byte[] value) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            KAFKA.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value));
      producer.flush();
    }
  }
}
