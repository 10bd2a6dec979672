package io.lethe.ingress.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lethe.cli.BearerTokens;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ErasureStatus;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.ingress.receipts.ReceiptJson;
import io.lethe.records.ErasureReceipt;
import io.lethe.schemas.snapshot.ReceiptSigner;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for privacy systems that poll: {@code GET /v1/erasures/{requestId}} answers
 * the request's status (PENDING, COMPLETED or REJECTED) with its models and versions as JSON, or
 * 404 with a JSON error for an unknown id; {@code GET /healthz} and {@code GET /readyz} answer
 * whether it runs and whether its lookup is ready. Uses the JDK's HTTP server, as the embedded
 * registry does, so the ingress needs no web framework.
 *
 * <p>Every error is JSON, {@code {"error": "..."}}, in the endpoint's own words: 400 for a request
 * id that is blank, longer than {@value #MAX_REQUEST_ID_LENGTH} characters or has a control
 * character; 404 for an unknown path or request; 405 with {@code Allow} for a method other than GET
 * or HEAD; 500 with a fixed message (the cause is logged). Every response is counted, see {@link
 * #responseCounts()}.
 *
 * <p>Started with bearer tokens, {@code /v1/erasures/} answers 401 with {@code WWW-Authenticate:
 * Bearer realm="lethe"} to a request without one of them (counted by reason, {@link
 * #authRefusals}); health and readiness stay open, for probes, and so does {@code GET /metrics}
 * (the ingress's metrics in the Prometheus text format) when the server is started with them.
 */
public final class ErasureStatusServer implements AutoCloseable {
  /** Path prefix of the status resource. */
  public static final String PATH = "/v1/erasures/";

  /** Longest request id looked up, in characters. */
  public static final int MAX_REQUEST_ID_LENGTH = 256;

  /** JMX domain of the endpoint's response counters. */
  public static final String JMX_DOMAIN = "io.lethe.ingress";

  /** Content type of {@code /metrics}: the Prometheus text format, version 0.0.4. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** The {@code route} of responses to paths the endpoint does not serve. */
  public static final String UNMATCHED = "unmatched";

  private static final String STATUS = PATH + "{requestId}";
  private static final String HEALTH = "/healthz";
  private static final String READY = "/readyz";
  private static final String METRICS = "/metrics";
  private static final String ALLOW = "GET, HEAD";
  private static final String INTERNAL_ERROR =
      "the erasure status endpoint failed to answer this request; the cause is in its log";

  private static final Logger log = LoggerFactory.getLogger(ErasureStatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final ErasureStatusLookup lookup;
  private final ReceiptSigner signer;
  private final BearerTokens tokens;
  private volatile Supplier<byte[]> metrics;
  private final Map<String, LongAdder> authRefusals = new ConcurrentHashMap<>();
  private final Map<ResponseKey, LongAdder> responses = new ConcurrentHashMap<>();
  private final List<ObjectName> exportedNames = new CopyOnWriteArrayList<>();

  private ErasureStatusServer(
      HttpServer server,
      ExecutorService executor,
      ErasureStatusLookup lookup,
      ReceiptSigner signer,
      BearerTokens tokens) {
    this.server = server;
    this.executor = executor;
    this.lookup = lookup;
    this.signer = signer;
    this.tokens = tokens;
  }

  /**
   * Starts serving on {@code port} (0 for a free port) on all interfaces.
   *
   * @throws IOException if the port cannot be bound
   */
  public static ErasureStatusServer start(int port, ErasureStatusLookup lookup) throws IOException {
    return start(null, port, lookup);
  }

  /**
   * Starts serving on {@code port} (0 for a free port) at {@code bindAddress}, or on all interfaces
   * if it is null.
   *
   * @throws IOException if the port cannot be bound
   */
  public static ErasureStatusServer start(String bindAddress, int port, ErasureStatusLookup lookup)
      throws IOException {
    return start(bindAddress, port, lookup, (ReceiptSigner) null);
  }

  /**
   * Starts serving as {@link #start(String, int, ErasureStatusLookup)} does; with a {@code signer}
   * (null for none), a finished request's JSON carries its receipt's {@code signature} (base64) and
   * {@code signingKeyId}, the same as the receipt on {@code lethe.receipts}.
   *
   * @throws IOException if the port cannot be bound
   */
  public static ErasureStatusServer start(
      String bindAddress, int port, ErasureStatusLookup lookup, ReceiptSigner signer)
      throws IOException {
    return start(bindAddress, port, lookup, signer, null);
  }

  /**
   * Starts serving as {@link #start(String, int, ErasureStatusLookup, ReceiptSigner)} does; with
   * {@code tokens}, {@code /v1/erasures/} answers only requests with one of them, and {@code
   * /healthz} and {@code /readyz} stay open.
   *
   * @param tokens the bearer tokens to require, or null for an open endpoint
   * @throws IOException if the port cannot be bound
   */
  public static ErasureStatusServer start(
      String bindAddress,
      int port,
      ErasureStatusLookup lookup,
      ReceiptSigner signer,
      BearerTokens tokens)
      throws IOException {
    InetSocketAddress address =
        bindAddress == null
            ? new InetSocketAddress(port)
            : new InetSocketAddress(bindAddress, port);
    HttpServer server = HttpServer.create(address, 0);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread thread = new Thread(task, "erasure-status-http-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    ErasureStatusServer status = new ErasureStatusServer(server, executor, lookup, signer, tokens);
    server.createContext("/", status::handle);
    server.start();
    log.info("Erasure status endpoint at http://localhost:{}{}<requestId>", status.port(), PATH);
    return status;
  }

  /**
   * A route and a status it answered: the key of {@link #responseCounts()}.
   *
   * @param route {@code /v1/erasures/{requestId}}, {@code /healthz}, {@code /readyz}, {@code
   *     /metrics} or {@link #UNMATCHED}
   */
  public record ResponseKey(String route, int status) {}

  /**
   * How many responses the endpoint has sent, by route and status, since it started. The ingress
   * has no metrics registry outside its Kafka Streams processors, so the counts are kept here and
   * published over JMX ({@link #JMX_DOMAIN}).
   */
  public Map<ResponseKey, Long> responseCounts() {
    Map<ResponseKey, Long> counts = new HashMap<>();
    responses.forEach((key, count) -> counts.put(key, count.sum()));
    return Map.copyOf(counts);
  }

  /**
   * How many requests the endpoint has refused with 401, by reason ({@link
   * BearerTokens.Outcome#label}).
   */
  public Map<String, Long> authRefusalCounts() {
    Map<String, Long> counts = new HashMap<>();
    authRefusals.forEach((reason, count) -> counts.put(reason, count.sum()));
    return Map.copyOf(counts);
  }

  /**
   * Serves {@code scrape} (the Prometheus text format) at {@code GET /metrics}, open like the
   * health endpoints; before this is called, {@code /metrics} is not served.
   */
  public void serveMetrics(Supplier<byte[]> scrape) {
    this.metrics = scrape;
    log.info("Ingress metrics for Prometheus at http://localhost:{}{}", port(), METRICS);
  }

  /** How many responses with {@code status} the endpoint has sent on {@code route}. */
  public long responses(String route, int status) {
    LongAdder count = responses.get(new ResponseKey(route, status));
    return count == null ? 0 : count.sum();
  }

  /**
   * How many requests the endpoint has refused with 401 for {@code reason} ({@link
   * BearerTokens.Outcome#label}: missing, not_bearer or invalid), also published over JMX.
   */
  public long authRefusals(String reason) {
    LongAdder count = authRefusals.get(reason);
    return count == null ? 0 : count.sum();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String route =
          path.startsWith(PATH)
              ? STATUS
              : path.equals(HEALTH) || path.equals(READY) || servesMetrics(path) ? path : null;
      try {
        if (route == null) {
          route = UNMATCHED;
          send(
              exchange,
              route,
              404,
              error(
                  "no endpoint "
                      + method
                      + " "
                      + path
                      + "; this endpoint serves GET "
                      + STATUS
                      + ", GET "
                      + HEALTH
                      + ", GET "
                      + READY
                      + (metrics == null ? "" : ", GET " + METRICS)));
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", ALLOW);
          send(exchange, route, 405, error(method + " is not allowed on " + route + "; use GET"));
        } else if (route.equals(STATUS) && !authenticated(exchange)) {
          log.debug("{} {} refused: no valid bearer token", method, route);
        } else if (route.equals(HEALTH)) {
          send(exchange, route, 200, JSON.createObjectNode().put("status", "ok"));
        } else if (route.equals(READY)) {
          readiness(exchange);
        } else if (route.equals(METRICS)) {
          sendMetrics(exchange);
        } else {
          status(exchange, path.substring(PATH.length()));
        }
      } catch (RuntimeException e) {
        log.warn("{} {} failed; answered 500", method, path, e);
        if (exchange.getResponseCode() == -1) {
          send(exchange, route, 500, error(INTERNAL_ERROR));
        }
      }
    }
  }

  /**
   * Whether the request may read a status: the endpoint is open, or it carries one of the tokens.
   * If not, answers 401 with the challenge and counts the refusal by reason.
   */
  private boolean authenticated(HttpExchange exchange) throws IOException {
    if (tokens == null) {
      return true;
    }
    BearerTokens.Outcome outcome =
        tokens.check(exchange.getRequestHeaders().getFirst("Authorization"));
    if (outcome == BearerTokens.Outcome.ACCEPTED) {
      return true;
    }
    authRefusals.computeIfAbsent(outcome.label, this::exportedRefusals).increment();
    exchange.getResponseHeaders().set("WWW-Authenticate", BearerTokens.CHALLENGE);
    send(exchange, STATUS, 401, error(outcome.message()));
    return false;
  }

  private void readiness(HttpExchange exchange) throws IOException {
    Optional<String> notReady = lookup.notReadyReason();
    if (notReady.isEmpty()) {
      send(exchange, READY, 200, JSON.createObjectNode().put("status", "ready"));
    } else {
      send(
          exchange,
          READY,
          503,
          JSON.createObjectNode().put("status", "not ready").put("reason", notReady.get()));
    }
  }

  private void status(HttpExchange exchange, String requestId) throws IOException {
    String invalid = invalidRequestId(requestId);
    if (invalid != null) {
      send(exchange, STATUS, 400, error(invalid));
      return;
    }
    ErasureStatusLookup.Answer answer = lookup.find(requestId);
    if (answer instanceof ErasureStatusLookup.Found found) {
      send(exchange, STATUS, 200, render(found.state(), signer));
    } else if (answer instanceof ErasureStatusLookup.ElsewhereAt elsewhere) {
      String encoded = URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20");
      exchange.getResponseHeaders().set("Location", elsewhere.baseUrl() + PATH + encoded);
      send(
          exchange,
          STATUS,
          307,
          error("erasure request '" + requestId + "' is served by another instance"));
    } else if (answer instanceof ErasureStatusLookup.Unavailable unavailable) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      send(exchange, STATUS, 503, error("erasure status unavailable: " + unavailable.why()));
    } else {
      send(exchange, STATUS, 404, error("unknown erasure request '" + requestId + "'"));
    }
  }

  /** Why {@code requestId} (decoded from the path) is not looked up, or null if it is. */
  private static String invalidRequestId(String requestId) {
    if (requestId.isBlank()) {
      return "the request id is blank; use GET " + STATUS;
    }
    if (requestId.length() > MAX_REQUEST_ID_LENGTH) {
      return "the request id has "
          + requestId.length()
          + " characters; at most "
          + MAX_REQUEST_ID_LENGTH
          + " are accepted";
    }
    for (int i = 0; i < requestId.length(); i++) {
      if (Character.isISOControl(requestId.charAt(i))) {
        return "the request id has a control character at index "
            + i
            + "; request ids are printable text";
      }
    }
    return null;
  }

  /**
   * The JSON status of {@code state}; for COMPLETED and REJECTED it is the receipt ({@link
   * ReceiptJson}), signed by {@code signer} unless it is null. The receipt is rebuilt from the same
   * state as the one on {@code lethe.receipts}, and Ed25519 signatures are deterministic, so the
   * two signatures are the same.
   */
  static ObjectNode render(ErasureState state, ReceiptSigner signer) {
    ObjectNode json = JSON.createObjectNode();
    if (state.status() != ErasureStatus.PENDING) {
      ErasureReceipt receipt = state.toReceipt();
      if (signer != null) {
        signer.sign(receipt);
      }
      return ReceiptJson.write(receipt, json);
    }
    json.put("requestId", state.requestId());
    json.put("status", state.status().name());
    if (state.request() != null) {
      json.put("scope", state.request().scope());
      json.put("requester", state.request().requester());
      json.put("requestedAt", Instant.ofEpochMilli(state.request().requestedAtMs()).toString());
    }
    List<String> awaited = state.awaitedModels();
    if (awaited == null) {
      json.putNull("awaitingModels");
    } else {
      awaited.forEach(json.putArray("awaitingModels")::add);
    }
    ArrayNode models = json.putArray("models");
    for (ModelConfirmation c : state.confirmations().values()) {
      ObjectNode m = models.addObject();
      m.put("model", c.model());
      m.put("guarantee", c.guarantee());
      m.put("reason", c.reason());
      m.put("firstVersionWithout", c.firstVersionWithout());
      m.put("appliedAt", Instant.ofEpochMilli(c.appliedAtMs()).toString());
    }
    return json;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private boolean servesMetrics(String path) {
    return metrics != null && path.equals(METRICS);
  }

  /** Sends the metrics (counted first, so a scrape shows its own response from the next one on). */
  private void sendMetrics(HttpExchange exchange) throws IOException {
    byte[] bytes = metrics.get();
    responses.computeIfAbsent(new ResponseKey(METRICS, 200), this::exported).increment();
    exchange.getResponseHeaders().set("Content-Type", PROMETHEUS_TEXT);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Sends {@code body} (not for HEAD) and counts the response. */
  private void send(HttpExchange exchange, String route, int status, ObjectNode body)
      throws IOException {
    responses.computeIfAbsent(new ResponseKey(route, status), this::exported).increment();
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The JMX view of one response counter: {@code Count}. */
  public interface ResponseCountMBean {
    /** Responses sent with this route and status. */
    long getCount();
  }

  /**
   * A new counter for {@code key}, published as the MBean {@value #JMX_DOMAIN}{@code
   * :type=erasure-status-http,port=...,route=...,status=...} so that a JMX exporter (the deploy
   * files' Prometheus agent) reads it. A JMX failure only costs the export, never the response.
   */
  private LongAdder exported(ResponseKey key) {
    LongAdder count = new LongAdder();
    try {
      ObjectName name = objectName(key);
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      ResponseCountMBean view = count::sum;
      jmx.registerMBean(new StandardMBean(view, ResponseCountMBean.class), name);
      exportedNames.add(name);
    } catch (JMException | RuntimeException e) {
      log.warn("Cannot publish the erasure status endpoint's response count over JMX", e);
    }
    return count;
  }

  /**
   * A new refusal counter for {@code reason}, published as the MBean {@value #JMX_DOMAIN}{@code
   * :type=erasure-status-http-auth,port=...,reason=...}.
   */
  private LongAdder exportedRefusals(String reason) {
    LongAdder count = new LongAdder();
    try {
      ObjectName name =
          new ObjectName(
              JMX_DOMAIN
                  + ":type=erasure-status-http-auth,port="
                  + port()
                  + ",reason="
                  + ObjectName.quote(reason));
      ResponseCountMBean view = count::sum;
      ManagementFactory.getPlatformMBeanServer()
          .registerMBean(new StandardMBean(view, ResponseCountMBean.class), name);
      exportedNames.add(name);
    } catch (JMException | RuntimeException e) {
      log.warn("Cannot publish the erasure status endpoint's refusal count over JMX", e);
    }
    return count;
  }

  private ObjectName objectName(ResponseKey key) throws MalformedObjectNameException {
    return new ObjectName(
        JMX_DOMAIN
            + ":type=erasure-status-http,port="
            + port()
            + ",route="
            + ObjectName.quote(key.route())
            + ",status="
            + key.status());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName name : exportedNames) {
      try {
        jmx.unregisterMBean(name);
      } catch (JMException e) {
        log.debug("MBean {} was already gone", name);
      }
    }
  }
}
