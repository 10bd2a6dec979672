package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.hypernet.HypernetTaskScorer;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The predict API: task-incremental scoring with global labels, and one test per bad request with
 * the exact error the caller gets.
 */
class PredictionApiIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String ANALYTIC = "m-analytic";
  private static final String HYPERNET = "m-hypernet";
  private static final String ERASED = "m-erased";
  private static final int MAX_BODY = 8 * 1024;
  private static final int MAX_INSTANCES = 4;

  private static ModelSnapshot hypernetSnapshot;
  private static ModelService service;
  private static ServiceClient client;

  @BeforeAll
  static void start() {
    String topic = KafkaExtension.uniqueTopicName("models");
    KAFKA.createTopic(topic);
    try (AnalyticLearner analytic = TestModels.analytic();
        HypernetLearner hypernet = TestModels.hypernet()) {
      TestModels.learn(analytic, "s", 30, 1L);
      hypernetSnapshot = TestModels.snapshot(hypernet, HYPERNET, 4);
      SpecificAvroSerializer<ModelSnapshot> values =
          new SpecificAvroSerializer<>(KAFKA.registryClient(), true, false);
      KAFKA.produce(
          topic,
          ANALYTIC,
          TestModels.snapshot(analytic, ANALYTIC, 1),
          new StringSerializer(),
          values);
      KAFKA.produce(topic, HYPERNET, hypernetSnapshot, new StringSerializer(), values);
      try (AnalyticLearner erased = TestModels.analytic()) {
        TestModels.learn(erased, "e", 10, 2L);
        erased.eraseTask("t0");
        erased.eraseTask("t1");
        KAFKA.produce(
            topic, ERASED, TestModels.snapshot(erased, ERASED, 3), new StringSerializer(), values);
      }
    }
    service =
        ModelService.start(
            new ServingSettings(
                KAFKA.bootstrapServers(),
                KAFKA.registryUrl(),
                topic,
                "127.0.0.1",
                0,
                MAX_BODY,
                MAX_INSTANCES,
                1));
    client = new ServiceClient(service.port());
    Await.until("the service is ready", BOUND, service::ready);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void shouldScoreEachInstanceWithItsTaskAndAnswerGlobalLabels() {
    float[][] rows = TestModels.rows(3, 5L);
    String body =
        "{\"instances\": ["
            + instance(rows[0], "\"a\"")
            + ","
            + instance(rows[1], "\"b\"")
            + ","
            + instance(rows[2], "\"a\"")
            + "]}";
    ServiceClient.Reply reply = client.post("/v1/models/" + HYPERNET + ":predict", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode json = reply.json();
    assertThat(json.get("model").asText()).isEqualTo(HYPERNET);
    assertThat(json.get("version").asLong()).isEqualTo(4);

    try (HypernetTaskScorer own = HypernetTaskScorer.fromSnapshot(hypernetSnapshot)) {
      List<Prediction> a = own.predict("a", new float[][] {rows[0], rows[2]});
      List<Prediction> b = own.predict("b", new float[][] {rows[1]});
      List<Prediction> expected = List.of(a.get(0), b.get(0), a.get(1));
      List<String> tasks = List.of("a", "b", "a");
      for (int i = 0; i < 3; i++) {
        JsonNode got = json.get("predictions").get(i);
        assertThat(got.get("task").asText()).isEqualTo(tasks.get(i));
        assertThat(got.get("label").asInt()).isEqualTo(expected.get(i).label());
        assertThat(got.get("classes").toString())
            .isEqualTo(tasks.get(i).equals("a") ? "[4,5]" : "[6,7]");
        assertThat(got.get("scores").get(0).asDouble()).isEqualTo(expected.get(i).scores()[0]);
        assertThat(got.get("scores").get(1).asDouble()).isEqualTo(expected.get(i).scores()[1]);
      }
    }
    JsonNode described = client.get("/v1/models/" + HYPERNET).json();
    assertThat(described.get("learner").asText()).isEqualTo("HYPERNETWORK");
    assertThat(described.get("tasks").toString()).isEqualTo("{\"a\":[4,5],\"b\":[6,7]}");
  }

  /** A version with everything erased is served (receipts name it) and answers with a 409. */
  @Test
  void shouldServeAModelWhoseDataWasAllErasedButScoreNothing() {
    Await.until("the erased model is served", BOUND, () -> client.version(ERASED) == 3);
    JsonNode described = client.get("/v1/models/" + ERASED).json();
    assertThat(described.get("classes").toString()).isEqualTo("[]");
    assertThat(described.get("lineage").get("erased_tasks").toString())
        .isEqualTo("[\"t0\",\"t1\"]");
    assertError(
        ERASED,
        "{\"instances\": [" + instance(new float[20], null) + "]}",
        409,
        "model m-erased v3 has no classes to score: nothing learned, or all of it erased");
  }

  @Test
  void shouldRefuseTheWrongNumberOfFeatures() {
    assertError(
        ANALYTIC,
        "{\"instances\": [" + instance(new float[19], null) + "]}",
        400,
        "instances[0].features has 19 values; model m-analytic v1 expects 20");
  }

  @Test
  void shouldRefuseAnUnknownModel() {
    assertError(
        "nope",
        "{\"instances\": [" + instance(new float[20], null) + "]}",
        404,
        "no model 'nope' is served; models: [m-analytic, m-erased, m-hypernet]");
  }

  @Test
  void shouldRefuseAnUnknownTask() {
    assertError(
        HYPERNET,
        "{\"instances\": ["
            + instance(new float[20], "\"a\"")
            + ","
            + instance(new float[20], "\"z\"")
            + "]}",
        400,
        "instances[1].task 'z' is not a task of model m-hypernet v4; tasks: [a, b]");
  }

  @Test
  void shouldRefuseAMissingTaskOnATaskIncrementalModel() {
    assertError(
        HYPERNET,
        "{\"instances\": [" + instance(new float[20], null) + "]}",
        400,
        "model m-hypernet v4 is task-incremental: instances[0].task is required, one of [a, b]");
  }

  @Test
  void shouldRefuseATaskOnAClassIncrementalModel() {
    assertError(
        ANALYTIC,
        "{\"instances\": [" + instance(new float[20], "\"t0\"") + "]}",
        400,
        "model m-analytic v1 is class-incremental and takes no task; remove instances[0].task");
  }

  @Test
  void shouldRefuseNonFiniteValues() {
    String nan = instance(new float[20], null).replaceFirst("0\\.0", "NaN");
    assertError(
        ANALYTIC,
        "{\"instances\": [" + nan + "]}",
        400,
        "instances[0].features[0] = NaN is not a finite number (features are float32)");
    String overflow = instance(new float[20], null).replaceFirst("0\\.0", "1e39");
    assertError(
        ANALYTIC,
        "{\"instances\": [" + instance(new float[20], null) + "," + overflow + "]}",
        400,
        "instances[1].features[0] = 1.0E39 is not a finite number (features are float32)");
  }

  @Test
  void shouldRefuseABodyOverTheLimitWithOrWithoutItsLength() {
    String body = "{\"instances\": [" + instance(new float[20], null) + "]}" + " ".repeat(MAX_BODY);
    int length = body.getBytes(StandardCharsets.UTF_8).length;
    assertError(
        ANALYTIC,
        body,
        413,
        "the request body has " + length + " bytes; the limit is " + MAX_BODY + " bytes");
    // sent chunked, without a Content-Length: refused once the limit is read past
    ServiceClient.Reply chunked = client.postChunked("/v1/models/" + ANALYTIC + ":predict", body);
    assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
    assertThat(chunked.json().get("error").asText())
        .isEqualTo(
            "the request body has more than "
                + MAX_BODY
                + " bytes; the limit is "
                + MAX_BODY
                + " bytes");
  }

  @Test
  void shouldRefuseTooManyInstances() {
    String five =
        IntStream.range(0, 5)
            .mapToObj(i -> instance(new float[20], null))
            .collect(Collectors.joining(","));
    assertError(
        ANALYTIC,
        "{\"instances\": [" + five + "]}",
        400,
        "'instances' has 5 entries; at most 4 are accepted per request");
  }

  @Test
  void shouldRefuseMalformedAndMisshapenBodies() {
    assertError(
        ANALYTIC,
        "{\"instances\": [",
        400,
        "the request body is not valid JSON (line 1, column 16)");
    assertError(ANALYTIC, "", 400, "the request body is empty; send a JSON object");
    assertError(
        ANALYTIC,
        "[1, 2]",
        400,
        "the request body must be a JSON object with an 'instances' array");
    assertError(ANALYTIC, "{\"instances\": []}", 400, "'instances' is empty; send 1 to 4");
    assertError(
        ANALYTIC, "{\"instances\": [3]}", 400, "instances[0] must be an object with 'features'");
    assertError(
        ANALYTIC,
        "{\"instances\": [{\"features\": \"x\"}]}",
        400,
        "instances[0].features must be an array of 20 numbers");
    assertError(
        ANALYTIC,
        "{\"instances\": [{\"features\": [" + "0,".repeat(19) + "\"x\"]}]}",
        400,
        "instances[0].features[19] is not a number");
  }

  @Test
  void shouldAnswerHealthAndCountRequestsByStatus() {
    assertThat(client.get("/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(client.get("/readyz").body()).isEqualTo("{\"ready\":true}");
    client.predict(ANALYTIC, null, new float[][] {new float[20]});
    client.predict(ANALYTIC, null, new float[][] {new float[3]});
    String metrics = client.get("/metrics").body();
    assertThat(metrics)
        .containsPattern(
            "lethe_serving_predict_requests_total\\{model=\"m-analytic\",status=\"200\"\\} [1-9]")
        .containsPattern(
            "lethe_serving_predict_requests_total\\{model=\"m-analytic\",status=\"400\"\\} [1-9]")
        .contains("lethe_serving_predict_seconds_bucket{model=\"m-analytic\",le=\"+Inf\"}");
  }

  private static void assertError(String model, String body, int status, String message) {
    ServiceClient.Reply reply = client.post("/v1/models/" + model + ":predict", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.json().get("error").asText()).isEqualTo(message);
    assertThat(reply.json().size()).isEqualTo(1);
  }

  /** One instance as JSON, with {@code task} (JSON text) if not null. */
  private static String instance(float[] row, String task) {
    String features =
        Arrays.stream(toDoubles(row)).mapToObj(Double::toString).collect(Collectors.joining(","));
    return "{\"features\": [" + features + "]" + (task == null ? "" : ", \"task\": " + task) + "}";
  }

  private static double[] toDoubles(float[] row) {
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[i];
    }
    return out;
  }
}
