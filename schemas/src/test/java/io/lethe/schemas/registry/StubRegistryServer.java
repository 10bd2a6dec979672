package io.lethe.schemas.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted HTTP server for client tests: answers each request with the next scripted reply (or
 * never, once told to hang) and records what it received.
 */
final class StubRegistryServer implements AutoCloseable {

  /** A scripted answer. */
  record Scripted(int status, String body) {}

  /** What the client sent. */
  record Received(
      String method,
      String rawPath,
      String rawQuery,
      String contentType,
      String accept,
      String authorization,
      String body) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final BlockingQueue<Scripted> script = new LinkedBlockingQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final CountDownLatch releaseHungRequests = new CountDownLatch(1);
  private volatile boolean hang;

  StubRegistryServer() throws IOException {
    this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
  }

  /** A stub on {@code server}, e.g. an {@link com.sun.net.httpserver.HttpsServer}. */
  StubRegistryServer(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  String url() {
    return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http")
        + "://127.0.0.1:"
        + server.getAddress().getPort();
  }

  StubRegistryServer answer(int status, String body) {
    script.add(new Scripted(status, body));
    return this;
  }

  /** From now on, accept requests but never answer them. */
  StubRegistryServer hang() {
    hang = true;
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      received.add(
          new Received(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              exchange.getRequestHeaders().getFirst("Accept"),
              exchange.getRequestHeaders().getFirst("Authorization"),
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      if (hang) {
        releaseHungRequests.await(30, TimeUnit.SECONDS);
        return;
      }
      Scripted reply = script.poll();
      if (reply == null) {
        reply =
            new Scripted(418, "{\"error_code\":418,\"message\":\"stub has no scripted reply\"}");
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    releaseHungRequests.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
