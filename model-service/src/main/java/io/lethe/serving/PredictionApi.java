package io.lethe.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.lethe.learners.internal.Torch;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model service's HTTP API on Javalin (Jetty):
 *
 * <ul>
 *   <li>{@code POST /v1/models/{model}:predict}: batch prediction; see {@link PredictRequest};
 *   <li>{@code GET /v1/models}: the served models and their versions;
 *   <li>{@code GET /v1/models/{model}}: learner kind, version, tasks or classes, lineage, the
 *       snapshot's age and the learner's status ({@link LearnerStatus});
 *   <li>{@code GET /healthz}, {@code GET /readyz}, {@code GET /metrics} (Prometheus text).
 * </ul>
 *
 * Errors are JSON, {@code {"error": "..."}}, with 400 (invalid request), 404 (unknown model), 409
 * (the served version has no classes: all its data was erased), 413 (body too large) or 503 (not
 * ready).
 */
final class PredictionApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionApi.class);
  private static final String PREDICT_SUFFIX = ":predict";

  private final ModelTable table;
  private final LearnerStatusTable learners;
  private final SnapshotFollower follower;
  private final ServiceMetrics metrics;
  private final ServingSettings settings;
  private final ObjectMapper json =
      JsonMapper.builder()
          // NaN and Infinity tokens are read so that the error can say "not finite"
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();
  private final Javalin server;

  PredictionApi(
      ModelTable table,
      LearnerStatusTable learners,
      SnapshotFollower follower,
      ServiceMetrics metrics,
      ServingSettings settings) {
    this.table = table;
    this.learners = learners;
    this.follower = follower;
    this.metrics = metrics;
    this.settings = settings;
    this.server =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = settings.host();
              config.jetty.port = settings.port();
              config.routes.get("/healthz", ctx -> send(ctx, 200, Map.of("status", "ok")));
              config.routes.get("/readyz", this::readiness);
              config.routes.get(
                  "/metrics",
                  ctx -> ctx.contentType(ServiceMetrics.CONTENT_TYPE).result(metrics.scrape()));
              config.routes.get("/v1/models", this::listModels);
              config.routes.get("/v1/models/{model}", this::describeModel);
              config.routes.post("/v1/models/{target}", this::predict);
              config.routes.exception(
                  ApiException.class, (e, ctx) -> send(ctx, e.status(), error(e.getMessage())));
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
                    send(ctx, 500, error("internal error: " + e.getMessage()));
                  });
            });
  }

  /** Starts listening. */
  void start() {
    server.start();
  }

  /** The port listened on (the chosen one if the settings asked for 0). */
  int port() {
    return server.port();
  }

  private void readiness(Context ctx) {
    String reason = follower.notReadyReason();
    if (reason == null) {
      send(ctx, 200, Map.of("ready", true));
    } else {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", false);
      body.put("reason", reason);
      send(ctx, 503, body);
    }
  }

  private void listModels(Context ctx) {
    List<Map<String, Object>> models = new ArrayList<>();
    table.current().stream()
        .sorted(Comparator.comparing(ServedModel::name))
        .forEach(model -> models.add(summary(model)));
    send(ctx, 200, Map.of("models", models));
  }

  private Map<String, Object> summary(ServedModel model) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", model.name());
    out.put("learner", model.learner().name());
    out.put("version", model.version());
    out.put("created_at", model.createdAt().toString());
    out.put("loaded_at", model.loadedAt().toString());
    out.put("snapshot_age_seconds", LearnerStatusTable.snapshotAgeSeconds(model, learners.now()));
    LearnerStatus status = learners.status(model.name());
    out.put("learner_status", status.state().label);
    LearnerHeartbeat newest = status.newest();
    if (newest != null) {
      Map<String, Object> heartbeat = new LinkedHashMap<>();
      heartbeat.put("emitted_at", newest.getEmittedAt().toString());
      heartbeat.put("age_seconds", LearnerStatusTable.seconds(status.heartbeatAge()));
      heartbeat.put("stale_after_seconds", LearnerStatusTable.seconds(status.staleAfter()));
      heartbeat.put("samples_learned", newest.getSamplesLearned());
      heartbeat.put("samples_buffered", newest.getSamplesBuffered());
      heartbeat.put("version", newest.getVersion());
      heartbeat.put(
          "last_learned_at",
          newest.getLastLearnedAt() == null ? null : newest.getLastLearnedAt().toString());
      out.put("learner_heartbeat", heartbeat);
    }
    return out;
  }

  private void describeModel(Context ctx) {
    ServedModel model = acquire(ctx.pathParam("model"));
    try {
      Map<String, Object> out = summary(model);
      Scorer scorer = model.scorer();
      out.put("input_dim", scorer.inputDim());
      if (scorer.needsTask()) {
        Map<String, List<Integer>> tasks = new LinkedHashMap<>();
        scorer.tasks().forEach(task -> tasks.put(task, scorer.classes(task)));
        out.put("tasks", tasks);
      } else {
        out.put("classes", scorer.classes());
      }
      SnapshotLineage lineage = model.lineage();
      Map<String, Object> lineageOut = new LinkedHashMap<>();
      lineageOut.put("previous_version", lineage.getPreviousVersion());
      Map<String, Long> samples = new LinkedHashMap<>();
      for (TaskSamples task : lineage.getSamplesPerTask()) {
        samples.put(task.getTask(), task.getSamples());
      }
      lineageOut.put("samples_per_task", samples);
      lineageOut.put("erased_tasks", lineage.getErasedTasks());
      lineageOut.put("erasures_reflected", lineage.getErasuresReflected());
      out.put("lineage", lineageOut);
      send(ctx, 200, out);
    } finally {
      model.release();
    }
  }

  private void predict(Context ctx) {
    String target = ctx.pathParam("target");
    if (!target.endsWith(PREDICT_SUFFIX)) {
      throw ApiException.notFound(
          "no endpoint POST /v1/models/"
              + target
              + "; predictions are POST /v1/models/{model}:predict");
    }
    String name = target.substring(0, target.length() - PREDICT_SUFFIX.length());
    long started = System.nanoTime();
    ServedModel model;
    try {
      model = acquire(name);
    } catch (ApiException e) {
      metrics.requests.labelValues("", String.valueOf(e.status())).inc();
      throw e;
    }
    try {
      byte[] body = readBody(ctx);
      if (model.scorer().isEmpty()) {
        throw ApiException.conflict(
            "model "
                + model.name()
                + " v"
                + model.version()
                + " has no classes to score: nothing learned, or all of it erased");
      }
      PredictRequest request = PredictRequest.parse(parse(body), model, settings.maxInstances());
      Torch.intraOpThreadsOnThisThread(settings.intraOpThreads());
      List<Prediction> predictions = score(model.scorer(), request);
      List<Map<String, Object>> out = new ArrayList<>(predictions.size());
      for (int i = 0; i < predictions.size(); i++) {
        Prediction prediction = predictions.get(i);
        String task = request.tasks().get(i);
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("label", prediction.label());
        one.put("score", prediction.score());
        if (task != null) {
          one.put("task", task);
        }
        one.put("classes", model.scorer().classes(task));
        one.put("scores", prediction.scores());
        out.add(one);
      }
      Map<String, Object> response = new LinkedHashMap<>();
      response.put("model", model.name());
      response.put("version", model.version());
      response.put("predictions", out);
      send(ctx, 200, response);
      metrics.requests.labelValues(name, "200").inc();
      metrics.instances.labelValues(name).inc(predictions.size());
      metrics.predictSeconds.labelValues(name).observe((System.nanoTime() - started) / 1e9);
    } catch (ApiException e) {
      metrics.requests.labelValues(name, String.valueOf(e.status())).inc();
      throw e;
    } finally {
      model.release();
    }
  }

  /** Scores the rows task by task (a class-incremental model has one group, task null). */
  private static List<Prediction> score(Scorer scorer, PredictRequest request) {
    Map<String, List<Integer>> byTask = new LinkedHashMap<>();
    for (int i = 0; i < request.rows().length; i++) {
      byTask.computeIfAbsent(request.tasks().get(i), t -> new ArrayList<>()).add(i);
    }
    Prediction[] out = new Prediction[request.rows().length];
    byTask.forEach(
        (task, indices) -> {
          float[][] rows = new float[indices.size()][];
          for (int k = 0; k < rows.length; k++) {
            rows[k] = request.rows()[indices.get(k)];
          }
          List<Prediction> predictions = scorer.predict(task, rows);
          for (int k = 0; k < rows.length; k++) {
            out[indices.get(k)] = predictions.get(k);
          }
        });
    return List.of(out);
  }

  private ServedModel acquire(String name) {
    ServedModel model = table.acquire(name);
    if (model == null) {
      List<String> names = table.current().stream().map(ServedModel::name).sorted().toList();
      throw ApiException.notFound("no model '" + name + "' is served; models: " + names);
    }
    return model;
  }

  /** The body, refused with 413 beyond the limit whether or not the client sent its length. */
  private byte[] readBody(Context ctx) {
    long limit = settings.maxBodyBytes();
    long declared = ctx.contentLength();
    if (declared > limit) {
      throw tooLarge(declared + " bytes", limit);
    }
    try (InputStream in = ctx.bodyInputStream()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (body.length > limit) {
        throw tooLarge("more than " + limit + " bytes", limit);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the request body", e);
    }
  }

  private static ApiException tooLarge(String size, long limit) {
    return new ApiException(
        413, "the request body has " + size + "; the limit is " + limit + " bytes");
  }

  private JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request body is empty; send a JSON object");
    }
    try {
      return json.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "the request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> error(String message) {
    return Map.of("error", message);
  }

  private void send(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
