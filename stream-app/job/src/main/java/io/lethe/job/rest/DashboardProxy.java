package io.lethe.job.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only Flink dashboard: an HTTP server that forwards {@code GET} and {@code HEAD} requests
 * to Flink's REST endpoint, presenting a client certificate there, and answers every other method
 * with 405. People get the whole dashboard for watching jobs; no one can cancel, rescale, stop or
 * upload through it. What is not a read goes to Flink directly, with a client certificate.
 *
 * <p>Bound to a loopback address, it answers only requests addressed to {@code localhost} or a
 * loopback address (the {@code Host} header), so that a web page cannot reach it under a name of
 * its own that resolves to 127.0.0.1 (DNS rebinding). Flink's own CORS header is not passed on:
 * pages of other origins cannot read the dashboard's answers.
 */
public final class DashboardProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardProxy.class);
  private static final Set<String> READS = Set.of("GET", "HEAD");
  private static final List<String> FORWARDED_REQUEST_HEADERS =
      List.of("Accept", "Accept-Language", "If-Modified-Since", "If-None-Match");
  private static final Set<String> DROPPED_RESPONSE_HEADERS =
      Set.of(
          "connection",
          "content-length",
          "keep-alive",
          "transfer-encoding",
          "access-control-allow-origin");
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient http;
  private final String upstream;
  private final String url;
  private final Set<String> hosts;

  private DashboardProxy(
      HttpServer server, ExecutorService executor, HttpClient http, String upstream) {
    this.server = server;
    this.executor = executor;
    this.http = http;
    this.upstream = upstream;
    int port = server.getAddress().getPort();
    this.url = "http://localhost:" + port;
    this.hosts = allowedHosts(server.getAddress().getAddress(), port);
  }

  /**
   * Starts the proxy.
   *
   * @param bindAddress the address to listen on, e.g. {@code 127.0.0.1}
   * @param port the port, 0 for any free one
   * @param upstream Flink's REST endpoint, e.g. {@code https://127.0.0.1:8443}
   * @param ssl the TLS context with the client certificate Flink accepts, or null for an upstream
   *     without TLS
   * @throws IOException if the port cannot be bound
   */
  public static DashboardProxy start(String bindAddress, int port, String upstream, SSLContext ssl)
      throws IOException {
    String base = upstream.endsWith("/") ? upstream.substring(0, upstream.length() - 1) : upstream;
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread thread = new Thread(r, "lethe-dashboard-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (ssl != null) {
      client.sslContext(ssl);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
    } catch (IOException e) {
      executor.shutdownNow();
      throw e;
    }
    DashboardProxy proxy = new DashboardProxy(server, executor, client.build(), base);
    server.createContext("/", proxy::handle);
    server.setExecutor(executor);
    server.start();
    LOG.info("read-only Flink dashboard at {} for {}", proxy.url, base);
    return proxy;
  }

  /** The dashboard's URL, {@code http://localhost:<port>}. */
  public String url() {
    return url;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (hosts != null && (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT)))) {
        answer(
            exchange,
            403,
            "Lethe's Flink dashboard answers requests for " + url + " only, not for host " + host);
        return;
      }
      if (!READS.contains(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        answer(
            exchange,
            405,
            "Lethe's Flink dashboard is read-only: "
                + method
                + " is not allowed. Cancel or stop a job with Flink's client and Lethe's client"
                + " certificate (see Lethe's README), or stop the whole stack.");
        return;
      }
      forward(exchange, method);
    }
  }

  private void forward(HttpExchange exchange, String method) throws IOException {
    URI requested = exchange.getRequestURI();
    String target =
        upstream
            + requested.getRawPath()
            + (requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery());
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(target))
            .timeout(REQUEST_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (String name : FORWARDED_REQUEST_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      LOG.warn("Flink's REST endpoint at {} did not answer {}: {}", upstream, target, e.toString());
      answer(exchange, 502, "Flink's REST endpoint at " + upstream + " does not answer");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 503, "Lethe's Flink dashboard is stopping");
      return;
    }
    try (InputStream body = response.body()) {
      for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
        String name = header.getKey();
        if (!name.startsWith(":")
            && !DROPPED_RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          exchange.getResponseHeaders().put(name, header.getValue());
        }
      }
      int status = response.statusCode();
      long length = response.headers().firstValueAsLong("Content-Length").orElse(0);
      if (method.equals("HEAD") || status == 204 || status == 304) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      // 0: chunked, when Flink does not say how long the body is
      exchange.sendResponseHeaders(status, length > 0 ? length : 0);
      try (OutputStream out = exchange.getResponseBody()) {
        body.transferTo(out);
      }
    }
  }

  private static void answer(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The Host headers a loopback listener answers; null (any) for another address. */
  private static Set<String> allowedHosts(InetAddress address, int port) {
    if (!address.isLoopbackAddress()) {
      return null;
    }
    return Set.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port);
  }

  /** Stops listening; requests in flight are cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
