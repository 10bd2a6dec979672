package io.lethe.serving;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.lethe.learners.ScoringThreads;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol (KServe v2) REST API, on the model service's server beside Lethe's
 * own API ({@link PredictionApi}), with its bearer-token rule, error format ({@code {"error":
 * "..."}}), limits and metrics:
 *
 * <ul>
 *   <li>{@code GET /v2/health/live} and {@code GET /v2/health/ready}: open, like {@code /healthz}
 *       and {@code /readyz} (503 until the service has caught up);
 *   <li>{@code GET /v2}: the server's name, version and extensions (none);
 *   <li>{@code GET /v2/models/{model}}: the model's version, platform, inputs and outputs;
 *   <li>{@code GET /v2/models/{model}/ready}: 200 if the model can score, 503 if its version has no
 *       classes;
 *   <li>{@code POST /v2/models/{model}/infer}: see {@link InferenceRequest}; the response names the
 *       version that scored in {@code model_version}.
 * </ul>
 *
 * An infer body without a {@code Content-Type} is read as JSON (the protocol's body is JSON, and
 * Triton's client declares none); one declared as another type is refused with 415, as on {@code
 * /v1}.
 *
 * <p>Each model route also answers as {@code /v2/models/{model}/versions/{version}/...}, for the
 * served version only: the service serves each model's newest verified version, and another one is
 * 404 (not served). Scoring goes through {@link ServedModel#score}, as every API's does.
 */
final class OpenInferenceApi {
  /** The server's name in {@code GET /v2}. */
  static final String SERVER_NAME = "lethe";

  /** The binary tensor data extension's header: the length of the JSON before the binary data. */
  static final String BINARY_HEADER = "Inference-Header-Content-Length";

  private final PredictionApi api;
  private final Supplier<String> notReadyReason;
  private final ServiceMetrics metrics;
  private final ServingSettings settings;

  /**
   * @param api the server this API's routes are added to, whose body reading, JSON and model
   *     acquisition they share
   * @param notReadyReason why the service is not ready yet, or null once it is
   */
  OpenInferenceApi(
      PredictionApi api,
      Supplier<String> notReadyReason,
      ServiceMetrics metrics,
      ServingSettings settings) {
    this.api = api;
    this.notReadyReason = notReadyReason;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Adds the protocol's routes; their templates are {@link ApiRoute}'s {@code V2_*}. */
  void addRoutes(RoutesConfig routes) {
    routes.get("/v2/health/live", ctx -> api.send(ctx, 200, Map.of("live", true)));
    routes.get("/v2/health/ready", this::serverReady);
    routes.get("/v2", this::serverMetadata);
    for (String model : List.of("/v2/models/{model}", "/v2/models/{model}/versions/{version}")) {
      routes.get(model, this::modelMetadata);
      routes.get(model + "/ready", this::modelReady);
      routes.post(model + "/infer", this::infer);
    }
  }

  private void serverReady(Context ctx) {
    String reason = notReadyReason.get();
    if (reason == null) {
      api.send(ctx, 200, Map.of("ready", true));
    } else {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", false);
      body.put("reason", reason);
      api.send(ctx, 503, body);
    }
  }

  private void serverMetadata(Context ctx) {
    String version = OpenInferenceApi.class.getPackage().getImplementationVersion();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", SERVER_NAME);
    body.put("version", version != null ? version : "development build");
    body.put("extensions", List.of());
    api.send(ctx, 200, body);
  }

  private void modelMetadata(Context ctx) {
    ServedModel model = acquire(ctx);
    try {
      Scorer scorer = model.scorer();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", model.name());
      body.put("versions", List.of(String.valueOf(model.version())));
      body.put("platform", "lethe_" + model.learner().name().toLowerCase(Locale.ROOT));
      List<Map<String, Object>> inputs = new ArrayList<>();
      inputs.add(tensor(InferenceRequest.FEATURES, "FP32", -1, scorer.inputDim()));
      if (scorer.needsTask()) {
        inputs.add(tensor(InferenceRequest.TASK, "BYTES", -1));
      }
      body.put("inputs", inputs);
      int classes = classCount(scorer);
      body.put(
          "outputs",
          List.of(
              tensor(InferenceRequest.LABEL, "INT64", -1),
              tensor(InferenceRequest.SCORE, "FP64", -1),
              tensor(InferenceRequest.SCORES, "FP64", -1, classes),
              tensor(InferenceRequest.CLASSES, "INT64", -1, classes)));
      api.send(ctx, 200, body);
    } finally {
      model.release();
    }
  }

  /** Classes per row: the model's, or every task's if they agree, else variable (-1). */
  private static int classCount(Scorer scorer) {
    if (!scorer.needsTask()) {
      return scorer.classes().size();
    }
    Set<Integer> counts = new LinkedHashSet<>();
    scorer.tasks().forEach(task -> counts.add(scorer.classes(task).size()));
    return counts.size() == 1 ? counts.iterator().next() : -1;
  }

  private static Map<String, Object> tensor(String name, String datatype, long... shape) {
    Map<String, Object> tensor = new LinkedHashMap<>();
    tensor.put("name", name);
    tensor.put("datatype", datatype);
    tensor.put("shape", shape);
    return tensor;
  }

  private void modelReady(Context ctx) {
    ServedModel model = acquire(ctx);
    try {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", model.name());
      if (model.scorer().isEmpty()) {
        body.put("ready", false);
        body.put("reason", noClasses(model));
        api.send(ctx, 503, body);
      } else {
        body.put("ready", true);
        api.send(ctx, 200, body);
      }
    } finally {
      model.release();
    }
  }

  private void infer(Context ctx) {
    long started = System.nanoTime();
    ServedModel model = acquire(ctx);
    try {
      // Triton's client sends no Content-Type, and the protocol's body is always JSON; a body
      // declared as something else is still refused
      if (ctx.header("Content-Type") != null) {
        PredictionApi.requireJson(ctx);
      }
      if (ctx.header(BINARY_HEADER) != null) {
        throw ApiException.badRequest(
            "the request carries binary tensor data ("
                + BINARY_HEADER
                + "); the service reads tensor data as JSON only (with Triton's client:"
                + " binary_data=False)");
      }
      byte[] body = api.readBody(ctx);
      if (model.scorer().isEmpty()) {
        throw ApiException.conflict(noClasses(model));
      }
      InferenceRequest request =
          InferenceRequest.parse(api.parse(body), model, settings.maxInstances());
      ScoringThreads.useIntraOpThreads(settings.intraOpThreads());
      List<Prediction> predictions = model.score(request.tasks(), request.rows());
      api.send(ctx, 200, response(model, request, predictions));
      metrics.instances.labelValues(model.name()).inc(predictions.size());
      metrics.predictSeconds.labelValues(model.name()).observe((System.nanoTime() - started) / 1e9);
    } finally {
      model.release();
    }
  }

  private static Map<String, Object> response(
      ServedModel model, InferenceRequest request, List<Prediction> predictions) {
    int n = predictions.size();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model_name", model.name());
    body.put("model_version", String.valueOf(model.version()));
    if (request.id() != null) {
      body.put("id", request.id());
    }
    List<Map<String, Object>> outputs = new ArrayList<>();
    for (String name : request.outputs()) {
      switch (name) {
        case InferenceRequest.LABEL -> {
          long[] labels = new long[n];
          for (int i = 0; i < n; i++) {
            labels[i] = predictions.get(i).label();
          }
          outputs.add(output(name, "INT64", labels, n));
        }
        case InferenceRequest.SCORE -> {
          double[] scores = new double[n];
          for (int i = 0; i < n; i++) {
            scores[i] = predictions.get(i).score();
          }
          outputs.add(output(name, "FP64", scores, n));
        }
        case InferenceRequest.SCORES -> {
          int c = predictions.get(0).scores().length;
          double[] scores = new double[n * c];
          for (int i = 0; i < n; i++) {
            System.arraycopy(predictions.get(i).scores(), 0, scores, i * c, c);
          }
          outputs.add(output(name, "FP64", scores, n, c));
        }
        case InferenceRequest.CLASSES -> {
          Map<String, List<Integer>> byTask = new HashMap<>();
          List<Integer> first = classes(model, request.tasks().get(0), byTask);
          int c = first.size();
          long[] classes = new long[n * c];
          for (int i = 0; i < n; i++) {
            List<Integer> row = classes(model, request.tasks().get(i), byTask);
            for (int k = 0; k < c; k++) {
              classes[i * c + k] = row.get(k);
            }
          }
          outputs.add(output(name, "INT64", classes, n, c));
        }
        default -> throw new IllegalStateException("no output " + name);
      }
    }
    body.put("outputs", outputs);
    return body;
  }

  private static List<Integer> classes(
      ServedModel model, String task, Map<String, List<Integer>> byTask) {
    // a HashMap, since the task of a class-incremental model is null
    return byTask.computeIfAbsent(task, t -> model.scorer().classes(t));
  }

  private static Map<String, Object> output(
      String name, String datatype, Object data, long... shape) {
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("name", name);
    output.put("datatype", datatype);
    output.put("shape", shape);
    output.put("data", data);
    return output;
  }

  /**
   * The model of the path, counted under its name; with a version in the path, only if it is the
   * served one.
   */
  private ServedModel acquire(Context ctx) {
    ServedModel model = api.acquire(ctx.pathParam("model"));
    ctx.attribute(PredictionApi.SERVED_MODEL, model.name());
    String version = ctx.pathParamMap().get("version");
    if (version != null && !version.equals(String.valueOf(model.version()))) {
      model.release();
      throw ApiException.notFound(
          "model "
              + model.name()
              + " is served at version "
              + model.version()
              + ", not '"
              + version
              + "': the service serves each model's newest verified version only");
    }
    return model;
  }

  private static String noClasses(ServedModel model) {
    return "model "
        + model.name()
        + " v"
        + model.version()
        + " has no classes to score: nothing learned, or all of it erased";
  }
}
