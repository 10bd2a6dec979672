package io.lethe.ingress.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ErasureStatus;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ModelErasure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for privacy systems that poll: {@code GET /v1/erasures/{requestId}} answers
 * the request's status (PENDING, COMPLETED or REJECTED) with its models and versions as JSON, or
 * 404 with a JSON error for an unknown id. Uses the JDK's HTTP server, as the embedded registry
 * does, so the ingress needs no web framework.
 */
public final class ErasureStatusServer implements AutoCloseable {
  /** Path prefix of the status resource. */
  public static final String PATH = "/v1/erasures/";

  private static final Logger log = LoggerFactory.getLogger(ErasureStatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final ErasureStatusLookup lookup;

  private ErasureStatusServer(
      HttpServer server, ExecutorService executor, ErasureStatusLookup lookup) {
    this.server = server;
    this.executor = executor;
    this.lookup = lookup;
  }

  /**
   * Starts serving on {@code port} (0 for a free port) on all interfaces.
   *
   * @throws IOException if the port cannot be bound
   */
  public static ErasureStatusServer start(int port, ErasureStatusLookup lookup) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
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
    ErasureStatusServer status = new ErasureStatusServer(server, executor, lookup);
    server.createContext("/", status::handle);
    server.start();
    log.info("Erasure status endpoint at http://localhost:{}{}<requestId>", status.port(), PATH);
    return status;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.startsWith(PATH) || path.length() == PATH.length()) {
        send(
            exchange, 404, error("no such resource " + path + "; use GET " + PATH + "{requestId}"));
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(
            exchange,
            405,
            error("method " + exchange.getRequestMethod() + " not allowed, use GET"));
        return;
      }
      String requestId = path.substring(PATH.length());
      ErasureStatusLookup.Answer answer;
      try {
        answer = lookup.find(requestId);
      } catch (RuntimeException e) {
        log.warn("Status lookup of erasure request {} failed", requestId, e);
        send(exchange, 500, error("status lookup failed: " + e.getMessage()));
        return;
      }
      if (answer instanceof ErasureStatusLookup.Found found) {
        send(exchange, 200, render(found.state()));
      } else if (answer instanceof ErasureStatusLookup.ElsewhereAt elsewhere) {
        String encoded = URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20");
        exchange.getResponseHeaders().set("Location", elsewhere.baseUrl() + PATH + encoded);
        send(
            exchange,
            307,
            error("erasure request '" + requestId + "' is served by another instance"));
      } else if (answer instanceof ErasureStatusLookup.Unavailable unavailable) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        send(exchange, 503, error("erasure status unavailable: " + unavailable.why()));
      } else {
        send(exchange, 404, error("unknown erasure request '" + requestId + "'"));
      }
    }
  }

  /** The JSON status of {@code state}; for COMPLETED and REJECTED it repeats the receipt. */
  static ObjectNode render(ErasureState state) {
    ObjectNode json = JSON.createObjectNode();
    json.put("requestId", state.requestId());
    json.put("status", state.status().name());
    if (state.status() != ErasureStatus.PENDING) {
      ErasureReceipt receipt = state.toReceipt();
      json.put("scope", receipt.getScope().name());
      json.put("requester", receipt.getRequester());
      json.put("reason", receipt.getReason());
      json.put("requestedAt", receipt.getRequestedAt().toString());
      json.put("completedAt", receipt.getCompletedAt().toString());
      json.put("latencyMs", receipt.getLatencyMs());
      ArrayNode models = json.putArray("models");
      for (ModelErasure model : receipt.getModels()) {
        ObjectNode m = models.addObject();
        m.put("model", model.getModel());
        m.put("guarantee", model.getGuarantee().name());
        m.put("reason", model.getReason());
        m.put("firstVersionWithout", model.getFirstVersionWithout());
        m.put("appliedAt", model.getAppliedAt().toString());
      }
      return json;
    }
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

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
