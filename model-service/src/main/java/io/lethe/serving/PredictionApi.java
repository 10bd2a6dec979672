package io.lethe.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.lethe.cli.BearerTokens;
import io.lethe.learners.ScoringThreads;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import io.lethe.serving.console.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
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
 *   <li>{@code GET /healthz}, {@code GET /readyz}, {@code GET /metrics} (Prometheus text);
 *   <li>{@code GET /console/}: the Lethe console's page, script and style (static, open), and
 *       {@code GET /console/api/overview} and {@code /console/api/erasures?q=} its data ({@link
 *       Console});
 *   <li>the Open Inference Protocol's (KServe v2) {@code /v2/...} routes ({@link
 *       OpenInferenceApi}).
 * </ul>
 *
 * With {@link ServingSettings#httpTokens()} every request but health, readiness, metrics and the
 * console's static files needs {@code Authorization: Bearer <token>}; without it the answer is 401
 * with {@code WWW-Authenticate}, counted by reason in {@code
 * lethe_serving_http_auth_refusals_total}.
 *
 * <p>Errors are JSON, {@code {"error": "..."}}, in the service's own words (never a library's
 * exception text), with 400 (invalid request or JSON), 401 (no valid bearer token), 404 (unknown
 * model or path), 405 (another method; with {@code Allow}), 409 (the served version has no classes:
 * all its data was erased), 413 (body too large), 415 (body not {@code application/json}), 500 (a
 * fixed message; the cause is logged) or 503 (not ready). Every response is counted, whoever
 * answered it.
 */
final class PredictionApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionApi.class);
  static final String PREDICT_SUFFIX = ":predict";

  /** Deepest nesting of a request body read; a predict request needs 4 (see {@link #parse}). */
  static final int MAX_NESTING_DEPTH = 64;

  /** Longest number read, in characters: a float32 written out needs far fewer. */
  static final int MAX_NUMBER_LENGTH = 100;

  /** Longest string read (e.g. a task id), in characters. */
  static final int MAX_STRING_LENGTH = 4096;

  /** Longest field name read, in characters. */
  static final int MAX_NAME_LENGTH = 256;

  /** Longest console search, in characters: request ids and subject ids are far shorter. */
  static final int MAX_QUERY_LENGTH = 256;

  /** Request attribute: the name of the served model a predict request was answered from. */
  static final String SERVED_MODEL = "lethe.served-model";

  /** The body of every 500: what failed is logged, never sent (it may name internals). */
  static final String INTERNAL_ERROR =
      "the model service failed to answer this request; the cause is in its log";

  private final ModelTable table;
  private final LearnerStatusTable learners;
  private final Supplier<String> notReadyReason;
  private final ServiceMetrics metrics;
  private final ServingSettings settings;
  private final Console console;
  private final ObjectMapper json =
      JsonMapper.builder(
              JsonFactory.builder()
                  // bounds the work and the stack a hostile body can cost; the body size is bounded
                  // by ServingSettings.maxBodyBytes
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxStringLength(MAX_STRING_LENGTH)
                          .maxNameLength(MAX_NAME_LENGTH)
                          .build())
                  // the same doubles as Double.parseDouble, a few times faster: parsing a body's
                  // 784 numbers cost more CPU than scoring it
                  .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                  .build())
          // NaN and Infinity tokens are read so that the error can say "not finite"
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();
  private final Javalin server;

  /**
   * @param notReadyReason why the service is not ready yet, or null once it is (see {@link
   *     SnapshotFollower#notReadyReason()})
   */
  PredictionApi(
      ModelTable table,
      LearnerStatusTable learners,
      Supplier<String> notReadyReason,
      ServiceMetrics metrics,
      ServingSettings settings) {
    this(table, learners, notReadyReason, metrics, settings, null);
  }

  /**
   * @param console the console's data, or null for a service without the console ({@code /console/}
   *     then answers 404)
   */
  PredictionApi(
      ModelTable table,
      LearnerStatusTable learners,
      Supplier<String> notReadyReason,
      ServiceMetrics metrics,
      ServingSettings settings,
      Console console) {
    this.console = console;
    this.table = table;
    this.learners = learners;
    this.notReadyReason = notReadyReason;
    this.metrics = metrics;
    this.settings = settings;
    this.server =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = settings.host();
              config.jetty.port = settings.port();
              config.jetty.modifyServer(
                  jetty -> jetty.setErrorHandler(new ProtocolErrorHandler(metrics)));
              // a known path asked with another method is a 405 (answered in answerRouting)
              config.http.prefer405over404 = true;
              config.routes.before(this::authenticate);
              config.routes.get("/healthz", ctx -> send(ctx, 200, Map.of("status", "ok")));
              config.routes.get("/readyz", this::readiness);
              config.routes.get(
                  "/metrics",
                  ctx -> ctx.contentType(ServiceMetrics.CONTENT_TYPE).result(metrics.scrape()));
              config.routes.get("/v1/models", this::listModels);
              config.routes.get("/v1/models/{model}", this::describeModel);
              config.routes.post("/v1/models/{target}", this::predict);
              config.routes.get("/console", this::consolePage);
              config.routes.get("/console/{asset}", this::consoleAsset);
              config.routes.get(
                  "/console/api/overview", ctx -> sendConsole(ctx, console().overview()));
              config.routes.get("/console/api/erasures", this::consoleErasures);
              new OpenInferenceApi(this, notReadyReason, metrics, settings)
                  .addRoutes(config.routes);
              config.routes.exception(ApiException.class, this::answer);
              config.routes.exception(HttpResponseException.class, this::answerRouting);
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    // the body is not logged: it is the caller's data
                    LOG.error("{} {} failed; answered 500", ctx.method(), ctx.path(), e);
                    send(ctx, 500, error(INTERNAL_ERROR));
                  });
              // after-handlers run for every request, also when a handler threw, and before the
              // response is written, so a client sees its response counted
              config.routes.after(this::count);
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

  /**
   * Refuses a request without one of the settings' bearer tokens with 401 and a {@code
   * WWW-Authenticate} challenge, unless the API is open or the request is for health, readiness or
   * metrics (which probes and scrapers call without credentials). Unknown paths need a token too,
   * so that an anonymous caller learns nothing of the API.
   */
  private void authenticate(Context ctx) {
    BearerTokens tokens = settings.httpTokens();
    if (tokens == null) {
      return;
    }
    Optional<ApiRoute> route = ApiRoute.of(ctx.path());
    if (route.isPresent() && route.get().open) {
      return;
    }
    BearerTokens.Outcome outcome = tokens.check(ctx.header("Authorization"));
    if (outcome != BearerTokens.Outcome.ACCEPTED) {
      metrics
          .authRefusals
          .labelValues(route.map(r -> r.template).orElse(ApiRoute.UNMATCHED), outcome.label)
          .inc();
      ctx.header("WWW-Authenticate", BearerTokens.CHALLENGE);
      throw ApiException.unauthorized(outcome.message());
    }
  }

  /** Counts the response to any request, whoever answered it. */
  private void count(Context ctx) {
    String status = String.valueOf(ctx.statusCode());
    Optional<ApiRoute> route = ApiRoute.of(ctx.path());
    metrics
        .responses
        .labelValues(route.map(r -> r.template).orElse(ApiRoute.UNMATCHED), status)
        .inc();
    if (route.map(ApiRoute::scores).orElse(false)) {
      // not the requested name: a label per made-up model name would grow without bound
      String model = ctx.attribute(SERVED_MODEL);
      metrics.requests.labelValues(model == null ? "" : model, status).inc();
    }
  }

  private void answer(ApiException e, Context ctx) {
    if (e.allow() != null) {
      ctx.header("Allow", e.allow());
    }
    send(ctx, e.status(), error(e.getMessage()));
  }

  /** Javalin's own refusals (no route for the path, or not for this method) in the API's words. */
  private void answerRouting(HttpResponseException e, Context ctx) {
    String method = ctx.method().name();
    Optional<ApiRoute> route = ApiRoute.of(ctx.path());
    if (e.getStatus() == 405 && route.isPresent()) {
      answer(ApiException.methodNotAllowed(method, route.get()), ctx);
    } else if (e.getStatus() == 404) {
      answer(
          ApiException.notFound(
              "no endpoint "
                  + method
                  + " "
                  + ctx.path()
                  + "; the API serves "
                  + ApiRoute.summary()),
          ctx);
    } else {
      answer(
          new ApiException(e.getStatus(), "the request was refused (HTTP " + e.getStatus() + ")"),
          ctx);
    }
  }

  private void readiness(Context ctx) {
    String reason = notReadyReason.get();
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
    out.put("signing_key_id", model.signingKeyId());
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
    String target = ctx.pathParam("model");
    if (target.endsWith(PREDICT_SUFFIX)) {
      throw ApiException.methodNotAllowed(ctx.method().name(), ApiRoute.PREDICT);
    }
    ServedModel model = acquire(target);
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
      throw ApiException.methodNotAllowed(ctx.method().name(), ApiRoute.MODEL);
    }
    String name = target.substring(0, target.length() - PREDICT_SUFFIX.length());
    long started = System.nanoTime();
    ServedModel model = acquire(name);
    ctx.attribute(SERVED_MODEL, model.name());
    try {
      requireJson(ctx);
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
      ScoringThreads.useIntraOpThreads(settings.intraOpThreads());
      List<Prediction> predictions = model.score(request.tasks(), request.rows());
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
      metrics.instances.labelValues(name).inc(predictions.size());
      metrics.predictSeconds.labelValues(name).observe((System.nanoTime() - started) / 1e9);
    } finally {
      model.release();
    }
  }

  /** The console, or 404 if this service runs without one. */
  private Console console() {
    if (console == null) {
      throw ApiException.notFound("this model service runs without the console");
    }
    return console;
  }

  /** {@code /console/}: the page; {@code /console} is redirected so relative links resolve. */
  private void consolePage(Context ctx) {
    console();
    if (!ctx.path().endsWith("/")) {
      ctx.status(302).header("Location", "/console/");
      return;
    }
    sendAsset(ctx, "index.html");
  }

  private void consoleAsset(Context ctx) {
    console();
    String name = ctx.pathParam("asset");
    if (!Console.isAsset(name)) {
      throw ApiException.notFound("the console has no file " + name);
    }
    sendAsset(ctx, name);
  }

  /**
   * A file of the page, with a policy that lets it load only its own script, style and data: no
   * inline script, no other origin, no framing.
   */
  private static void sendAsset(Context ctx, String name) {
    Console.Asset asset = Console.asset(name).orElseThrow();
    ctx.header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.status(200).contentType(asset.contentType()).result(asset.bytes());
  }

  private void consoleErasures(Context ctx) {
    String query = ctx.queryParam("q");
    if (query != null && query.length() > MAX_QUERY_LENGTH) {
      throw ApiException.badRequest(
          "the search has " + query.length() + " characters; the limit is " + MAX_QUERY_LENGTH);
    }
    sendConsole(ctx, console().erasures(query));
  }

  /** A console view: never cached, it names subjects. */
  private void sendConsole(Context ctx, Object body) {
    ctx.header("Cache-Control", "no-store");
    ctx.header("X-Content-Type-Options", "nosniff");
    send(ctx, 200, body);
  }

  ServedModel acquire(String name) {
    ServedModel model = table.acquire(name);
    if (model == null) {
      List<String> names = table.current().stream().map(ServedModel::name).sorted().toList();
      throw ApiException.notFound("no model '" + name + "' is served; models: " + names);
    }
    return model;
  }

  /**
   * Refuses (415) a body not declared as {@code application/json}, also one without a {@code
   * Content-Type}: a client that sends none (or curl's form encoding) has not written JSON on
   * purpose. Parameters such as {@code charset} are allowed; the body is read as JSON text is
   * always encoded, UTF-8 (RFC 8259).
   */
  static void requireJson(Context ctx) {
    String declared = ctx.header("Content-Type");
    String mediaType = declared == null ? "" : declared.split(";", 2)[0].strip();
    if (mediaType.isEmpty()) {
      throw ApiException.unsupportedMediaType(
          "the request has no Content-Type; send the body as application/json");
    }
    if (!mediaType.equalsIgnoreCase("application/json")) {
      throw ApiException.unsupportedMediaType(
          "the request body is " + mediaType + "; send it as application/json");
    }
  }

  /** The body, refused with 413 beyond the limit whether or not the client sent its length. */
  byte[] readBody(Context ctx) {
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

  /**
   * The body as a JSON tree. Every way it can fail to be one is a 400 with a message of the
   * service's own: a library's exception text can name internals and is no help to the caller.
   */
  JsonNode parse(byte[] body) {
    try (JsonParser parser = json.createParser(body)) {
      JsonNode tree;
      try {
        tree = json.readTree(parser);
      } catch (StreamConstraintsException e) {
        // the context is one level deeper than allowed when the depth check fails
        if (parser.getParsingContext().getNestingDepth() > MAX_NESTING_DEPTH) {
          throw ApiException.badRequest(
              "the request body is nested deeper than "
                  + MAX_NESTING_DEPTH
                  + " levels; a predict request needs 4");
        }
        throw ApiException.badRequest(
            "the request body has a value longer than the service reads ("
                + where(parser.currentLocation())
                + "): numbers have at most "
                + MAX_NUMBER_LENGTH
                + " characters, strings "
                + MAX_STRING_LENGTH
                + ", field names "
                + MAX_NAME_LENGTH);
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
        throw ApiException.badRequest("the request body is not valid JSON (" + where(at) + ")");
      }
      if (tree == null || tree.isMissingNode()) {
        throw ApiException.badRequest("the request body is empty; send a JSON object");
      }
      return tree;
    } catch (IOException e) {
      // not thrown for a byte array, but still the body's fault if it ever is
      throw ApiException.badRequest("the request body could not be read as JSON");
    }
  }

  private static String where(JsonLocation location) {
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static Map<String, Object> error(String message) {
    return Map.of("error", message);
  }

  void send(Context ctx, int status, Object body) {
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
