package io.lethe.serving;

import static io.lethe.serving.PredictionApiTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.cli.BearerTokens;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.records.ModelSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference Protocol (KServe v2) routes on a real Javalin server with real models in its
 * table but no broker: the protocol's documented request and response shapes, adapted to Lethe's
 * models, answers identical to the learner's, and one test per refusal with its exact message.
 */
class OpenInferenceApiTest {
  private static final String ANALYTIC = "m-analytic";
  private static final String HYPERNET = "m-hypernet";
  private static final String ERASED = "m-erased";
  private static final String TOKEN = "a-token-for-the-v2-routes-0123";
  private static final int MAX_INSTANCES = 8;
  private static final Supplier<String> READY = () -> null;

  private static ServiceMetrics metrics;
  private static ModelTable table;
  private static PredictionApi api;
  private static PredictionApi guarded;
  private static ServiceClient client;
  private static ModelSnapshot analyticSnapshot;
  private static ModelSnapshot hypernetSnapshot;
  private static volatile Supplier<String> readiness = READY;

  @BeforeAll
  static void start() {
    metrics = new ServiceMetrics();
    // float64 scoring, so that the answers can be compared with the learner's bit for bit
    ScoringSettings defaults = ScoringSettings.defaults();
    table =
        new ModelTable(
            metrics,
            Clock.systemUTC(),
            null,
            new ScoringSettings(
                defaults.maxBatch(), defaults.batchWait(), BufferPrecision.FLOAT64));
    try (AnalyticLearner analytic = TestModels.analytic();
        HypernetLearner hypernet = TestModels.hypernet();
        AnalyticLearner erased = TestModels.analytic()) {
      TestModels.learn(analytic, "s", 30, 1L);
      analyticSnapshot = TestModels.snapshot(analytic, ANALYTIC, 1);
      hypernetSnapshot = TestModels.snapshot(hypernet, HYPERNET, 4);
      TestModels.learn(erased, "e", 10, 2L);
      erased.eraseTask("t0");
      erased.eraseTask("t1");
      assertThat(table.offer(analyticSnapshot)).isEmpty();
      assertThat(table.offer(hypernetSnapshot)).isEmpty();
      assertThat(table.offer(TestModels.snapshot(erased, ERASED, 3))).isEmpty();
    }
    LearnerStatusTable learners = new LearnerStatusTable(Clock.systemUTC(), Duration.ofSeconds(10));
    ServingSettings settings =
        new ServingSettings(
            "unused:9092", "http://unused", "unused", "127.0.0.1", 0, 64 * 1024, MAX_INSTANCES, 1);
    api = new PredictionApi(table, learners, () -> readiness.get(), metrics, settings);
    api.start();
    guarded =
        new PredictionApi(
            table, learners, READY, metrics, settings.withHttpTokens(BearerTokens.of(TOKEN)));
    guarded.start();
    client = new ServiceClient(api.port());
  }

  @AfterEach
  void ready() {
    readiness = READY;
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {api, guarded, table}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The protocol's inference example (an id, one input, one requested output), with Lethe's input
   * and output names: the id is echoed, only the requested output is answered, and the labels are
   * the learner's own.
   */
  @Test
  void shouldAnswerTheProtocolsInferenceExampleWithTheLearnersLabels() {
    float[][] rows = TestModels.rows(3, 11L);
    String body =
        "{\"id\": \"42\", \"inputs\": ["
            + features("FP32", rows, false)
            + "], \"outputs\": [{\"name\": \"label\"}]}";

    ServiceClient.Reply reply = client.post("/v2/models/" + ANALYTIC + "/infer", body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
    List<Prediction> own = own(analyticSnapshot, null, rows);
    assertJson(
        reply,
        "{\"model_name\": \"m-analytic\", \"model_version\": \"1\", \"id\": \"42\", \"outputs\": ["
            + "{\"name\": \"label\", \"datatype\": \"INT64\", \"shape\": [3], \"data\": "
            + own.stream()
                .map(p -> String.valueOf(p.label()))
                .collect(Collectors.joining(",", "[", "]"))
            + "}]}");
  }

  /** The example as the protocol writes it names inputs this model does not have. */
  @Test
  void shouldRefuseTheProtocolsLiteralExampleNamingTheModelsInputs() {
    String body =
        "{\"id\" : \"42\", \"inputs\" : [{\"name\" : \"input0\", \"shape\" : [ 2, 2 ],"
            + " \"datatype\" : \"UINT32\", \"data\" : [ 1, 2, 3, 4 ]}, {\"name\" : \"input1\","
            + " \"shape\" : [ 3 ], \"datatype\" : \"BOOL\", \"data\" : [ true ]}],"
            + " \"outputs\" : [{\"name\" : \"output0\"}]}";

    assertRefused(
        client.post("/v2/models/" + ANALYTIC + "/infer", body),
        400,
        "inputs[0] is named 'input0'; model m-analytic v1 takes the inputs 'features' (FP32 or"
            + " FP64, [N, 20]) only");
  }

  /** Every output, nested or flat data, FP32 or FP64: the same answer, the learner's scores. */
  @Test
  void shouldAnswerEveryOutputAlikeForFlatNestedFp32AndFp64Data() {
    float[][] rows = TestModels.rows(4, 12L);
    List<JsonNode> answers = new ArrayList<>();
    for (String datatype : List.of("FP32", "FP64")) {
      for (boolean nested : List.of(false, true)) {
        ServiceClient.Reply reply =
            client.post(
                "/v2/models/" + ANALYTIC + "/versions/1/infer",
                "{\"inputs\": [" + features(datatype, rows, nested) + "]}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        answers.add(reply.json());
      }
    }
    assertThat(answers).allSatisfy(answer -> assertThat(answer).isEqualTo(answers.get(0)));

    List<Prediction> own = own(analyticSnapshot, null, rows);
    JsonNode outputs = answers.get(0).get("outputs");
    assertThat(outputs.findValuesAsText("name"))
        .containsExactly("label", "score", "scores", "classes");
    assertThat(outputs.get(0).get("shape").toString()).isEqualTo("[4]");
    assertThat(outputs.get(1).get("datatype").asText()).isEqualTo("FP64");
    assertThat(outputs.get(2).get("shape").toString()).isEqualTo("[4,4]");
    assertThat(outputs.get(3).get("data").toString())
        .isEqualTo("[0,1,2,3,0,1,2,3,0,1,2,3,0,1,2,3]");
    for (int i = 0; i < rows.length; i++) {
      assertThat(outputs.get(0).get("data").get(i).asInt()).isEqualTo(own.get(i).label());
      assertThat(outputs.get(1).get("data").get(i).asDouble()).isEqualTo(own.get(i).score());
      for (int k = 0; k < 4; k++) {
        // bit for bit: the JSON number is the double's shortest exact representation
        assertThat(outputs.get(2).get("data").get(i * 4 + k).asDouble())
            .isEqualTo(own.get(i).scores()[k]);
      }
    }
  }

  @Test
  void shouldTakeTheTaskAsAParameterOrAsABytesInput() {
    float[][] rows = TestModels.rows(3, 13L);
    List<Prediction> a = own(hypernetSnapshot, "a", rows);
    List<Prediction> b = own(hypernetSnapshot, "b", rows);

    JsonNode byParameter =
        infer(
            HYPERNET,
            "{\"parameters\": {\"task\": \"b\"}, \"inputs\": ["
                + features("FP32", rows, false)
                + "], \"outputs\": [{\"name\": \"label\"}, {\"name\": \"classes\"}]}");
    assertThat(byParameter.get("model_version").asText()).isEqualTo("4");
    assertThat(byParameter.get("outputs").get(0).get("data").toString())
        .isEqualTo(labels(b.get(0), b.get(1), b.get(2)));
    assertThat(byParameter.get("outputs").get(1).get("data").toString()).isEqualTo("[6,7,6,7,6,7]");

    JsonNode byInput =
        infer(
            HYPERNET,
            "{\"inputs\": ["
                + features("FP32", rows, false)
                + ", {\"name\": \"task\", \"datatype\": \"BYTES\", \"shape\": [3],"
                + " \"data\": [\"a\", \"b\", \"a\"]}]}");
    JsonNode outputs = byInput.get("outputs");
    assertThat(outputs.get(0).get("data").toString())
        .isEqualTo(labels(a.get(0), b.get(1), a.get(2)));
    assertThat(outputs.get(2).get("data").get(2).asDouble()).isEqualTo(b.get(1).scores()[0]);
    assertThat(outputs.get(3).get("data").toString()).isEqualTo("[4,5,6,7,4,5]");
  }

  @Test
  void shouldRefuseATaskThatIsMissingDoubledUnknownOrNotTaken() {
    String one = features("FP32", new float[1][20], false);
    assertInferRefused(
        HYPERNET,
        "{\"inputs\": [" + one + "]}",
        "model m-hypernet v4 is task-incremental: give the task as parameters.task or as a BYTES"
            + " input 'task' of shape [1], one of [a, b]");
    assertInferRefused(
        HYPERNET,
        "{\"parameters\": {\"task\": \"a\"}, \"inputs\": ["
            + one
            + ", {\"name\": \"task\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}]}",
        "the task is given twice, as parameters.task and as the input 'task'; send one of them");
    assertInferRefused(
        HYPERNET,
        "{\"parameters\": {\"task\": \"z\"}, \"inputs\": [" + one + "]}",
        "parameters.task 'z' is not a task of model m-hypernet v4; tasks: [a, b]");
    assertInferRefused(
        HYPERNET,
        "{\"inputs\": ["
            + one
            + ", {\"name\": \"task\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\","
            + " \"b\"]}]}",
        "inputs[1] (task) has shape [2]; it needs one task per row of 'features': [1]");
    assertInferRefused(
        ANALYTIC,
        "{\"parameters\": {\"task\": \"t0\"}, \"inputs\": [" + one + "]}",
        "model m-analytic v1 is class-incremental and takes no task; remove parameters.task");
  }

  @Test
  void shouldRefuseTensorsThatDoNotFitTheModel() {
    float[][] one = new float[1][20];
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("INT64", one, false) + "]}",
        "inputs[0] (features) has datatype INT64; model m-analytic v1 takes FP32 or FP64");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("FP32", new float[1][19], false) + "]}",
        "inputs[0] (features) has shape [1, 19]; model m-analytic v1 takes [N, 20]");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": ["
            + features("FP32", one, false).replace("\"shape\": [1, 20]", "\"shape\": [2, 20]")
            + "]}",
        "inputs[0] (features).data has 20 values; shape [2, 20] needs 40");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("FP32", new float[MAX_INSTANCES + 1][20], false) + "]}",
        "inputs[0] (features) has 9 rows; at most 8 are accepted per request");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("FP32", one, false).replaceFirst("0\\.0", "NaN") + "]}",
        "inputs[0] (features) element [0, 0] = NaN is not a finite number (features are float32)");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("FP64", one, false).replaceFirst("0\\.0", "1e300") + "]}",
        "inputs[0] (features) element [0, 0] = 1.0E300 is not a finite number (features are"
            + " float32)");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + features("FP32", one, false).replaceFirst("0\\.0", "\"x\"") + "]}",
        "inputs[0] (features) element [0, 0] is not a number");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": ["
            + features("FP32", new float[2][20], true).replaceFirst("\\[0\\.0, ", "[")
            + "]}",
        "inputs[0] (features).data[0] does not match the shape [2, 20]: nest the data as the"
            + " shape, or send it flat in row-major order");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": []}",
        "'inputs' has no 'features' tensor; model m-analytic v1 takes 'features' (FP32 or FP64,"
            + " [N, 20]) only");
    assertInferRefused(
        ANALYTIC,
        "{\"instances\": []}",
        "the request body must be a JSON object with an 'inputs' array");
    assertInferRefused(
        ANALYTIC,
        "{\"id\": 42, \"inputs\": [" + features("FP32", one, false) + "]}",
        "'id' must be a string");
  }

  @Test
  void shouldRefuseUnknownOrRepeatedOutputs() {
    String one = features("FP32", new float[1][20], false);
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + one + "], \"outputs\": [{\"name\": \"output0\"}]}",
        "outputs[0] asks for 'output0'; the outputs are [label, score, scores, classes]");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + one + "], \"outputs\": [{\"name\": \"label\"}, {\"name\": \"label\"}]}",
        "outputs[1] repeats 'label'; ask once");
    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [" + one + "], \"outputs\": []}",
        "'outputs' is empty; leave it out to get every output");
    // parameters the service does not know are the client's own
    assertThat(
            infer(
                    ANALYTIC,
                    "{\"parameters\": {\"priority\": 1}, \"inputs\": ["
                        + one
                        + "], \"outputs\": [{\"name\": \"score\", \"parameters\":"
                        + " {\"foo\": false}}]}")
                .get("outputs")
                .findValuesAsText("name"))
        .containsExactly("score");
  }

  /**
   * What Triton's HTTP client sends: no Content-Type, binary outputs asked for by default. The
   * service answers JSON data, which that client reads too; binary inputs it cannot read.
   */
  @Test
  void shouldAnswerJsonToRequestsForBinaryOutputsAndRefuseBinaryInputs() {
    float[][] rows = TestModels.rows(2, 14L);
    String labels = labels(own(analyticSnapshot, null, rows).toArray(Prediction[]::new));
    String body =
        "{\"inputs\": ["
            + features("FP32", rows, false)
            + "], \"outputs\": [{\"name\": \"label\", \"parameters\": {\"binary_data\": true}}]}";
    ServiceClient.Reply reply =
        client.request("POST", "/v2/models/" + ANALYTIC + "/infer", null, body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().get("outputs").get(0).get("data").toString()).isEqualTo(labels);
    assertThat(reply.json().get("outputs").get(0).has("parameters")).isFalse();
    JsonNode all =
        infer(
            ANALYTIC,
            "{\"parameters\": {\"binary_data_output\": true}, \"inputs\": ["
                + features("FP32", rows, false)
                + "]}");
    assertThat(all.get("outputs").get(0).get("data").toString()).isEqualTo(labels);

    assertInferRefused(
        ANALYTIC,
        "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1, 20],"
            + " \"parameters\": {\"binary_data_size\": 80}}]}",
        "inputs[0] is sent as binary data (binary_data_size); the service reads tensor data as"
            + " JSON only");
    String json = "{\"inputs\": []}";
    assertRefused(
        client.raw(
            "POST /v2/models/"
                + ANALYTIC
                + "/infer HTTP/1.1\r\nHost: x\r\nInference-Header-Content-Length: "
                + json.length()
                + "\r\nContent-Length: "
                + (json.length() + 4)
                + "\r\nConnection: close\r\n\r\n"
                + json
                + "\0\0\0\0"),
        400,
        "the request carries binary tensor data (Inference-Header-Content-Length); the service"
            + " reads tensor data as JSON only (with Triton's client: binary_data=False)");
    assertRefused(
        client.request(
            "POST", "/v2/models/" + ANALYTIC + "/infer", "application/octet-stream", json),
        415,
        "the request body is application/octet-stream; send it as application/json");
  }

  @Test
  void shouldAnswerHealthAndServerMetadata() {
    assertJson(client.get("/v2/health/live"), "{\"live\": true}");
    assertJson(client.get("/v2/health/ready"), "{\"ready\": true}");
    readiness = () -> "catching up with the models topic";
    ServiceClient.Reply notReady = client.get("/v2/health/ready");
    assertThat(notReady.status()).isEqualTo(503);
    assertJson(notReady, "{\"ready\": false, \"reason\": \"catching up with the models topic\"}");
    readiness = READY;

    JsonNode server = client.get("/v2").json();
    assertThat(server.get("name").asText()).isEqualTo("lethe");
    assertThat(server.get("version").isTextual()).isTrue();
    assertThat(server.get("extensions").toString()).isEqualTo("[]");
  }

  @Test
  void shouldDescribeEachModelsInputsAndOutputs() {
    assertJson(
        client.get("/v2/models/" + ANALYTIC),
        "{\"name\": \"m-analytic\", \"versions\": [\"1\"], \"platform\": \"lethe_analytic\","
            + " \"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [-1, 20]}],"
            + " \"outputs\": [{\"name\": \"label\", \"datatype\": \"INT64\", \"shape\": [-1]},"
            + " {\"name\": \"score\", \"datatype\": \"FP64\", \"shape\": [-1]},"
            + " {\"name\": \"scores\", \"datatype\": \"FP64\", \"shape\": [-1, 4]},"
            + " {\"name\": \"classes\", \"datatype\": \"INT64\", \"shape\": [-1, 4]}]}");
    JsonNode hypernet = client.get("/v2/models/" + HYPERNET + "/versions/4").json();
    assertThat(hypernet.get("platform").asText()).isEqualTo("lethe_hypernetwork");
    assertThat(hypernet.get("inputs").get(1).toString())
        .isEqualTo("{\"name\":\"task\",\"datatype\":\"BYTES\",\"shape\":[-1]}");
    assertThat(hypernet.get("outputs").get(2).get("shape").toString()).isEqualTo("[-1,2]");
  }

  @Test
  void shouldAnswerModelReadiness() {
    assertJson(
        client.get("/v2/models/" + ANALYTIC + "/ready"),
        "{\"name\": \"m-analytic\", \"ready\": true}");
    assertJson(
        client.get("/v2/models/" + HYPERNET + "/versions/4/ready"),
        "{\"name\": \"m-hypernet\", \"ready\": true}");
    ServiceClient.Reply erased = client.get("/v2/models/" + ERASED + "/ready");
    assertThat(erased.status()).isEqualTo(503);
    assertThat(erased.json().get("ready").asBoolean()).isFalse();
    assertRefused(
        client.get("/v2/models/nope/ready"),
        404,
        "no model 'nope' is served; models: [m-analytic, m-erased, m-hypernet]");
  }

  @Test
  void shouldAnswer404ForAVersionThatIsNotServed() {
    String message =
        "model m-analytic is served at version 1, not '%s': the service serves each model's newest"
            + " verified version only";
    assertRefused(
        client.get("/v2/models/" + ANALYTIC + "/versions/2"), 404, message.formatted("2"));
    assertRefused(
        client.get("/v2/models/" + ANALYTIC + "/versions/v1/ready"), 404, message.formatted("v1"));
    assertRefused(
        client.post(
            "/v2/models/" + ANALYTIC + "/versions/0/infer",
            "{\"inputs\": [" + features("FP32", new float[1][20], false) + "]}"),
        404,
        message.formatted("0"));
  }

  @Test
  void shouldRefuseLikeTheV1Api() {
    String infer = "/v2/models/" + ANALYTIC + "/infer";
    String one = "{\"inputs\": [" + features("FP32", new float[1][20], false) + "]}";
    assertRefused(
        client.post("/v2/models/" + ERASED + "/infer", one),
        409,
        "model m-erased v3 has no classes to score: nothing learned, or all of it erased");
    assertRefused(
        client.request("POST", infer, "text/plain", one),
        415,
        "the request body is text/plain; send it as application/json");
    assertRefused(
        client.post(infer, "{"), 400, "the request body is not valid JSON (line 1, column 2)");
    ServiceClient.Reply get = client.get(infer);
    assertRefused(
        get, 405, "GET is not allowed on /v2/models/{model}[/versions/{version}]/infer; use POST");
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertRefused(
        client.post("/v2/models/" + ANALYTIC, one),
        405,
        "POST is not allowed on /v2/models/{model}[/versions/{version}]; use GET (inference is"
            + " POST /v2/models/{model}[/versions/{version}]/infer)");
    ServiceClient.Reply unknown = client.get("/v2/models/" + ANALYTIC + "/versions");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText())
        .startsWith("no endpoint GET /v2/models/m-analytic/versions; the API serves")
        .contains("POST /v2/models/{model}[/versions/{version}]/infer");
  }

  @Test
  void shouldCountInferenceLikePredictions() {
    String infer = "/v2/models/{model}[/versions/{version}]/infer";
    double ok = responses(infer, 200);
    double bad = responses(infer, 400);
    double metadata = responses("/v2/models/{model}[/versions/{version}]", 200);
    double live = responses("/v2/health/live", 200);
    double scored = predictRequests(ANALYTIC, 200);
    double instances = instances(ANALYTIC);

    infer(ANALYTIC, "{\"inputs\": [" + features("FP32", new float[3][20], false) + "]}");
    client.post("/v2/models/" + ANALYTIC + "/infer", "{}");
    client.get("/v2/models/" + ANALYTIC + "/versions/1");
    client.get("/v2/health/live");

    assertThat(responses(infer, 200)).isEqualTo(ok + 1);
    assertThat(responses(infer, 400)).isEqualTo(bad + 1);
    assertThat(responses("/v2/models/{model}[/versions/{version}]", 200)).isEqualTo(metadata + 1);
    assertThat(responses("/v2/health/live", 200)).isEqualTo(live + 1);
    assertThat(predictRequests(ANALYTIC, 200)).isEqualTo(scored + 1);
    assertThat(instances(ANALYTIC)).isEqualTo(instances + 3);
  }

  /** Health stays open; metadata, readiness of a model and inference need the token. */
  @Test
  void shouldRequireTheTokenOnModelRoutesOnly() {
    ServiceClient anonymous = new ServiceClient(guarded.port());
    ServiceClient caller = new ServiceClient(guarded.port(), "Bearer " + TOKEN);
    assertThat(anonymous.get("/v2/health/live").status()).isEqualTo(200);
    assertThat(anonymous.get("/v2/health/ready").status()).isEqualTo(200);
    String one = "{\"inputs\": [" + features("FP32", new float[1][20], false) + "]}";
    for (ServiceClient.Reply refused :
        List.of(
            anonymous.get("/v2"),
            anonymous.get("/v2/models/" + ANALYTIC),
            anonymous.get("/v2/models/" + ANALYTIC + "/ready"),
            anonymous.post("/v2/models/" + ANALYTIC + "/infer", one))) {
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue(BearerTokens.CHALLENGE);
    }
    assertThat(caller.get("/v2").status()).isEqualTo(200);
    assertThat(caller.post("/v2/models/" + ANALYTIC + "/infer", one).status()).isEqualTo(200);
  }

  private static JsonNode infer(String model, String body) {
    ServiceClient.Reply reply = client.post("/v2/models/" + model + "/infer", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private static void assertInferRefused(String model, String body, String message) {
    assertRefused(client.post("/v2/models/" + model + "/infer", body), 400, message);
  }

  private static void assertJson(ServiceClient.Reply reply, String expected) {
    try {
      assertThat(reply.json()).as(reply.body()).isEqualTo(ServiceClient.JSON.readTree(expected));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code features} input of {@code rows}, its data flat or nested. */
  static String features(String datatype, float[][] rows, boolean nested) {
    StringBuilder data = new StringBuilder(rows.length * 16 * 20).append('[');
    for (int i = 0; i < rows.length; i++) {
      data.append(i == 0 ? "" : ", ").append(nested ? "[" : "");
      for (int j = 0; j < rows[i].length; j++) {
        data.append(j == 0 ? "" : ", ").append(rows[i][j]);
      }
      data.append(nested ? "]" : "");
    }
    data.append(']');
    return String.format(
        Locale.ROOT,
        "{\"name\": \"features\", \"datatype\": \"%s\", \"shape\": [%d, %d], \"data\": %s}",
        datatype,
        rows.length,
        rows.length == 0 ? 0 : rows[0].length,
        data);
  }

  private static String labels(Prediction... predictions) {
    return Arrays.stream(predictions)
        .map(p -> String.valueOf(p.label()))
        .collect(Collectors.joining(",", "[", "]"));
  }

  /** The snapshot's own predictions, scored outside the service. */
  private static List<Prediction> own(ModelSnapshot snapshot, String task, float[][] rows) {
    try (Scorer scorer = Scorers.fromSnapshot(snapshot)) {
      return scorer.predict(task, rows);
    }
  }

  private static double instances(String model) {
    return sample("lethe_serving_predict_instances_total{model=\"" + model + "\"}");
  }

  private static double predictRequests(String model, int status) {
    return sample(
        "lethe_serving_predict_requests_total{model=\"" + model + "\",status=\"" + status + "\"}");
  }

  private static double responses(String route, int status) {
    return sample(
        "lethe_serving_http_responses_total{route=\"" + route + "\",status=\"" + status + "\"}");
  }

  /** The value of the sample {@code series} (name and labels) in the scrape, 0 if absent. */
  private static double sample(String series) {
    String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
    Matcher line =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }
}
