package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class HttpLoadTest {

  @Test
  void shouldCountAnswersAndFailuresAndKeepEveryLatency() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int status = new String(body, StandardCharsets.UTF_8).equals("bad") ? 500 : 200;
          byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
    try {
      HttpLoad load =
          new HttpLoad(
              URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
              List.of(
                  "good".getBytes(StandardCharsets.UTF_8), "bad".getBytes(StandardCharsets.UTF_8)));
      HttpLoad.Result result = load.run(3, Duration.ofMillis(100), Duration.ofMillis(500));

      assertThat(result.clients()).isEqualTo(3);
      assertThat(result.samples()).isNotEmpty();
      assertThat(result.errors()).isPositive();
      // bodies alternate per client, so answers and failures differ by at most one per client
      assertThat(Math.abs(result.samples().size() - result.errors())).isLessThanOrEqualTo(3);
      assertThat(result.firstError()).isEqualTo("HTTP 500: {}");
      assertThat(result.samples())
          .allSatisfy(
              s -> {
                assertThat(s.latencyNanos()).isPositive();
                assertThat(s.startNanos()).isGreaterThanOrEqualTo(result.startNanos());
                assertThat(s.startNanos()).isLessThan(result.startNanos() + result.elapsedNanos());
              });
      assertThat(result.histogram().getTotalCount()).isEqualTo(result.samples().size());
      assertThat(result.clientCpuNanos()).isPositive();
      assertThat(result.throughput())
          .isEqualTo(result.samples().size() / (result.elapsedNanos() / 1e9));
    } finally {
      server.stop(0);
    }
  }
}
