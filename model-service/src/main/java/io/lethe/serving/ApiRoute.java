package io.lethe.serving;

import io.lethe.serving.console.Console;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The API's routes, each with the one method it answers. Javalin dispatches the requests; this
 * names the route a path belongs to, for the {@code Allow} header of a 405 and the {@code route}
 * label of the response metrics (a template, so that model names do not multiply the series).
 */
enum ApiRoute {
  PREDICT("POST", "/v1/models/{model}:predict", false),
  MODELS("GET", "/v1/models", false),
  MODEL("GET", "/v1/models/{model}", false),
  HEALTH("GET", "/healthz", true),
  READY("GET", "/readyz", true),
  METRICS("GET", "/metrics", true),
  /** The console's page and its script and style: static, no data, so open (see Console). */
  CONSOLE_PAGE("GET", "/console/", true),
  /** The console's data, behind the token like the API. */
  CONSOLE_API("GET", "/console/api/{view}", false),
  /** Open Inference Protocol (KServe v2) routes, see {@link OpenInferenceApi}. */
  V2_LIVE("GET", "/v2/health/live", true),
  V2_READY("GET", "/v2/health/ready", true),
  V2_SERVER("GET", "/v2", false),
  V2_MODEL("GET", "/v2/models/{model}[/versions/{version}]", false),
  V2_MODEL_READY("GET", "/v2/models/{model}[/versions/{version}]/ready", false),
  V2_INFER("POST", "/v2/models/{model}[/versions/{version}]/infer", false);

  /** The {@code route} label of responses to paths the API does not serve. */
  static final String UNMATCHED = "unmatched";

  private static final String MODELS_PREFIX = "/v1/models/";
  private static final String V2_MODELS_PREFIX = "/v2/models/";
  private static final String CONSOLE_PREFIX = "/console/";
  private static final String CONSOLE_API_PREFIX = "/console/api/";
  private static final java.util.Set<String> CONSOLE_VIEWS =
      java.util.Set.of("overview", "erasures");

  final String method;
  final String template;

  /** Whether the route answers without a credential (probes and scrapers). */
  final boolean open;

  ApiRoute(String method, String template, boolean open) {
    this.method = method;
    this.template = template;
    this.open = open;
  }

  /** The route {@code path} (as requested, not decoded) belongs to, or empty if none. */
  static Optional<ApiRoute> of(String path) {
    // Javalin ignores a trailing slash
    String trimmed =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.startsWith(MODELS_PREFIX)) {
      String target = trimmed.substring(MODELS_PREFIX.length());
      if (target.contains("/")) {
        return Optional.empty();
      }
      return Optional.of(target.endsWith(PredictionApi.PREDICT_SUFFIX) ? PREDICT : MODEL);
    }
    if (trimmed.startsWith(V2_MODELS_PREFIX)) {
      return v2Model(trimmed.substring(V2_MODELS_PREFIX.length()).split("/", -1));
    }
    if (trimmed.equals("/console")
        || (trimmed.startsWith(CONSOLE_PREFIX)
            && Console.isAsset(trimmed.substring(CONSOLE_PREFIX.length())))) {
      return Optional.of(CONSOLE_PAGE);
    }
    if (trimmed.startsWith(CONSOLE_API_PREFIX)
        && CONSOLE_VIEWS.contains(trimmed.substring(CONSOLE_API_PREFIX.length()))) {
      return Optional.of(CONSOLE_API);
    }
    return Arrays.stream(values()).filter(r -> r.template.equals(trimmed)).findFirst();
  }

  /**
   * The v2 route of the segments after {@code /v2/models/}: {@code model}, {@code model/ready},
   * {@code model/infer}, and each of these with {@code versions/v} after the model.
   */
  private static Optional<ApiRoute> v2Model(String[] segments) {
    if (Arrays.stream(segments).anyMatch(String::isEmpty)) {
      return Optional.empty();
    }
    boolean versioned = segments.length >= 3 && segments[1].equals("versions");
    int actionAt = versioned ? 3 : 1;
    if (segments.length == actionAt) {
      return Optional.of(V2_MODEL);
    }
    if (segments.length == actionAt + 1) {
      return switch (segments[actionAt]) {
        case "ready" -> Optional.of(V2_MODEL_READY);
        case "infer" -> Optional.of(V2_INFER);
        default -> Optional.empty();
      };
    }
    return Optional.empty();
  }

  /** Whether the route scores (its responses are counted as predict requests by model). */
  boolean scores() {
    return this == PREDICT || this == V2_INFER;
  }

  /** The {@code Allow} header: Javalin answers HEAD wherever it answers GET. */
  String allow() {
    return method.equals("GET") ? "GET, HEAD" : method;
  }

  /** Every route as "METHOD template", for a 404's message. */
  static String summary() {
    return Arrays.stream(values())
        .map(r -> r.method + " " + r.template)
        .collect(Collectors.joining(", "));
  }
}
