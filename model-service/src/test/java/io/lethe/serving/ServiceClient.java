package io.lethe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plain JDK HTTP client for the service's API, as an online caller would use it. */
final class ServiceClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String host = "127.0.0.1";
  private final int port;
  private final String base;
  private final String authorization;

  ServiceClient(int port) {
    this(port, null);
  }

  /** A client that sends {@code authorization} (null: none) with every request. */
  ServiceClient(int port, String authorization) {
    this.port = port;
    this.base = "http://" + host + ":" + port;
    this.authorization = authorization;
  }

  /** Status, body and headers of one call. */
  record Reply(int status, String body, HttpHeaders headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Reply post(String path, String body) {
    return request("POST", path, "application/json", body);
  }

  /**
   * Any method on {@code path}, with {@code body} (none if null) and a {@code Content-Type} header
   * (none if null).
   */
  Reply request(String method, String path, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(
        request.method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
  }

  /** POST without a Content-Length (chunked transfer encoding). */
  Reply postChunked(String path, String body) {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(bytes))));
  }

  /**
   * Sends {@code head} (request line and headers, no body) as written, on a connection of its own
   * that the server closes: for requests the JDK client refuses to send, such as a malformed path.
   */
  Reply raw(String head) {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      String[] lines = response.substring(0, end).split("\r\n");
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        String[] field = lines[i].split(":", 2);
        headers.computeIfAbsent(field[0].strip(), k -> new ArrayList<>()).add(field[1].strip());
      }
      return new Reply(
          Integer.parseInt(lines[0].split(" ")[1]),
          response.substring(end + 4),
          HttpHeaders.of(headers, (name, value) -> true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** POST /v1/models/{model}:predict with one instance per row (and the task, if not null). */
  Reply predict(String model, String task, float[][] rows) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode instances = body.putArray("instances");
    for (float[] row : rows) {
      ObjectNode instance = instances.addObject();
      ArrayNode features = instance.putArray("features");
      for (float v : row) {
        features.add(v);
      }
      if (task != null) {
        instance.put("task", task);
      }
    }
    return post("/v1/models/" + model + ":predict", body.toString());
  }

  /** The served version of {@code model}, or -1 if it is not served. */
  long version(String model) {
    Reply reply = get("/v1/models/" + model);
    return reply.status() == 200 ? reply.json().get("version").asLong() : -1;
  }

  private Reply send(HttpRequest.Builder request) {
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
