package io.lethe.job.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard proxy in front of a stand-in for Flink's REST endpoint (a real HTTP server that
 * records what reaches it); TLS to a real Flink is covered by the embedded stack's tests.
 */
class DashboardProxyTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> reached = new CopyOnWriteArrayList<>();
  private HttpServer flink;
  private DashboardProxy proxy;

  @BeforeEach
  void start() throws IOException {
    flink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    flink.createContext(
        "/",
        exchange -> {
          reached.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
          byte[] body = "{\"taskmanagers\":2}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    flink.start();
    proxy =
        DashboardProxy.start(
            "127.0.0.1", 0, "http://127.0.0.1:" + flink.getAddress().getPort(), null);
  }

  @AfterEach
  void stop() {
    proxy.close();
    flink.stop(0);
  }

  @Test
  void shouldForwardAReadWithItsQuery() throws Exception {
    HttpResponse<String> response = send("GET", "/jobs/overview?get=x");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"taskmanagers\":2}");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
        .as("Flink's CORS header is not passed on")
        .isEmpty();
    assertThat(reached).containsExactly("GET /jobs/overview?get=x");
    assertThat(send("HEAD", "/overview").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PATCH", "DELETE", "PUT"})
  void shouldRefuseEverythingButReads(String method) throws Exception {
    HttpResponse<String> response = send(method, "/jobs/abc?mode=cancel");
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(response.body())
        .isEqualTo(
            "Lethe's Flink dashboard is read-only: "
                + method
                + " is not allowed. Cancel or stop a job with Flink's client and Lethe's client"
                + " certificate (see Lethe's README), or stop the whole stack.\n");
    assertThat(reached).as("nothing reaches Flink").isEmpty();
  }

  @Test
  void shouldRefuseARequestForAnotherHost() throws Exception {
    // what a page on a name that an attacker resolves to 127.0.0.1 would send
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket
          .getOutputStream()
          .write(
              "GET /overview HTTP/1.1\r\nHost: evil.example:%d\r\nConnection: close\r\n\r\n"
                  .formatted(proxy.port())
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer)
          .startsWith("HTTP/1.1 403")
          .endsWith(
              "Lethe's Flink dashboard answers requests for "
                  + proxy.url()
                  + " only, not for host evil.example:"
                  + proxy.port()
                  + "\n");
    }
    assertThat(reached).isEmpty();
    assertThat(send("GET", "/overview").statusCode()).as("still serving").isEqualTo(200);
  }

  @Test
  void shouldAnswer502WhenFlinkIsDown() throws Exception {
    flink.stop(0);
    HttpResponse<String> response = send("GET", "/overview");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "Flink's REST endpoint at http://127.0.0.1:"
                + flink.getAddress().getPort()
                + " does not answer\n");
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(proxy.url() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
