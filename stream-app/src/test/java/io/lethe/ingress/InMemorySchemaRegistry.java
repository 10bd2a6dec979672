package io.lethe.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The two calls of the Confluent registry API that Lethe's serdes make (register a schema, fetch a
 * schema by id), served from memory, so topology tests need no Kafka broker. Real registry
 * behaviour is tested in the schemas module against the embedded registry.
 */
final class InMemorySchemaRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<String> schemas = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();

  private InMemorySchemaRegistry(HttpServer server) {
    this.server = server;
  }

  static InMemorySchemaRegistry start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry(server);
    server.createContext("/", registry::handle);
    server.start();
    return registry;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (exchange.getRequestMethod().equals("POST")
          && path.startsWith("/subjects/")
          && path.endsWith("/versions")) {
        String schema = JSON.readTree(exchange.getRequestBody()).get("schema").asText();
        int id = register(schema);
        send(exchange, 200, JSON.createObjectNode().put("id", id));
      } else if (exchange.getRequestMethod().equals("GET") && path.startsWith("/schemas/ids/")) {
        int id = Integer.parseInt(path.substring("/schemas/ids/".length()));
        if (id < 1 || id > schemas.size()) {
          send(
              exchange,
              404,
              JSON.createObjectNode().put("error_code", 40403).put("message", "Schema not found"));
        } else {
          send(exchange, 200, JSON.createObjectNode().put("schema", schemas.get(id - 1)));
        }
      } else {
        send(exchange, 404, JSON.createObjectNode().put("error_code", 404).put("message", path));
      }
    }
  }

  private synchronized int register(String schema) {
    return ids.computeIfAbsent(
        schema,
        s -> {
          schemas.add(s);
          return schemas.size();
        });
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
