package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The model service started while its broker does not answer yet (a busy machine's first TLS and
 * SASL connection takes longer than a metadata request may): its followers keep asking, and the
 * service says it is waiting, instead of stopping for good.
 */
class ModelServiceBrokerWaitTest {
  @Test
  void shouldKeepWaitingWhenTopicMetadataTimesOut() throws Exception {
    // A "broker" that accepts connections and never answers: every metadata request times out.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> connections = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    connections.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "silent-broker");
      acceptor.setDaemon(true);
      acceptor.start();
      ServingSettings settings =
          ServingSettings.defaults(
                  "127.0.0.1:" + silent.getLocalPort(), "http://127.0.0.1:" + silent.getLocalPort())
              .withHost("127.0.0.1")
              .withPort(0)
              // a client gives up on an unanswered request after this and connects again
              .withKafkaConfig(KafkaClientConfig.of(null, Map.of("request.timeout.ms", "1000")));
      try (ModelService service = ModelService.start(settings)) {
        // Each follower's first metadata request times out within 2 s; a follower that stopped
        // then would never connect again. The snapshot follower says it waits once its first
        // request has timed out, and the followers keep connecting after that.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readyz =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/readyz"))
                .build();
        Await.until(
            "the service waiting for its topic after a timed-out metadata request",
            Duration.ofSeconds(60),
            () ->
                http.send(readyz, HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains("waiting for topic lethe.models to exist"));
        int before = connections.size();
        Await.until(
            "the followers connecting again after timed-out metadata requests",
            Duration.ofSeconds(60),
            () -> connections.size() >= before + 2);
        HttpResponse<String> ready = http.send(readyz, HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("waiting for topic lethe.models to exist");
      } finally {
        for (Socket connection : connections) {
          connection.close();
        }
      }
    }
  }
}
