package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.ErasureRequest;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.serving.console.ConsoleSettings;
import io.lethe.testing.Await;
import io.lethe.testing.TestRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The Lethe console on the real embedded stack, in a real headless Chromium: after the stack has
 * learned and one erasure has completed, the page loads without a browser console error, shows the
 * model with its accuracy chart, the dead letter and the completed erasure (found by its request id
 * and by its subject), and its data views refuse a caller without the token. The screenshot is kept
 * in {@code target/console/console.png}; the page's load time is printed.
 */
class ConsoleIT {
  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final String MODEL = TinyStack.MODEL;
  private static final String REQUEST = "r-console-1";
  private static final String SUBJECT = "u-3";
  private static final Path SCREENSHOT = Path.of("target", "console", "console.png");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldShowModelsErasuresAndDeadLettersInAHeadlessBrowser() throws Exception {
    assertThat(
            Files.isExecutable(ConsoleBrowser.CHROMIUM)
                && Files.isExecutable(ConsoleBrowser.CHROMEDRIVER))
        .as(
            "the console test needs "
                + ConsoleBrowser.CHROMIUM
                + " and "
                + ConsoleBrowser.CHROMEDRIVER
                + ": install the Debian packages chromium and chromium-driver")
        .isTrue();
    ConsoleSettings console =
        ConsoleSettings.defaults()
            .withSampleInterval(Duration.ofSeconds(1))
            .withEvaluation(heldOut());
    try (EmbeddedStack stack = TinyStack.start(console)) {
      String token = stack.httpToken();
      feed(stack, 0, 40);
      Await.until(
          MODEL + " served with its 40 samples learned and a known accuracy",
          BOUND,
          () -> {
            JsonNode model = view(stack, "overview", token).path("models").path(0);
            return model.path("samples_learned").asLong() >= 40
                && model.path("accuracy").size() > 0;
          });
      erase(stack);
      feed(stack, 40, 40); // more to learn after the erasure: the ingest chart shows it
      Await.until(
          "the console shows erasure " + REQUEST + " as completed",
          BOUND,
          () ->
              "completed"
                  .equals(
                      view(stack, "erasures?q=" + REQUEST, token)
                          .path("erasures")
                          .path(0)
                          .path("state")
                          .asText()));
      Await.until(
          "the console counts the malformed sample's dead letter",
          BOUND,
          () -> view(stack, "overview", token).path("dead_letters").path("total").asLong() >= 1);
      Await.until(
          "the console shows the 80 samples learned",
          BOUND,
          () ->
              view(stack, "overview", token).path("models").path(0).path("samples_learned").asLong()
                  >= 80);
      // and a version after the erasure has been served and scored
      Await.until(
          "the console has scored the version without " + SUBJECT,
          BOUND,
          () -> {
            long without =
                view(stack, "erasures?q=" + REQUEST, token)
                    .path("erasures")
                    .path(0)
                    .path("models")
                    .path(0)
                    .path("first_version_without")
                    .asLong();
            JsonNode accuracy =
                view(stack, "overview", token).path("models").path(0).path("accuracy");
            return accuracy.get(accuracy.size() - 1).path("version").asLong() >= without;
          });

      assertThat(status(stack.serviceUrl() + "/console/api/overview", null)).isEqualTo(401);
      assertThat(status(stack.serviceUrl() + "/console/api/erasures?q=" + SUBJECT, "wrong-token"))
          .isEqualTo(401);
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(stack.consoleUrl())).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("default-src 'none'")
          .contains("connect-src 'self'");

      inBrowser(stack, token);
    }
  }

  private void inBrowser(EmbeddedStack stack, String token) throws Exception {
    try (ConsoleBrowser browser = ConsoleBrowser.open(stack.consoleUrl(), token)) {
      WebDriver driver = browser.driver();
      // the token left the address bar at once
      assertThat(driver.getCurrentUrl()).doesNotContain("token").endsWith("/console/");
      assertThat(browser.modelRow(MODEL, "%")).contains(MODEL).contains("running").contains("%");
      assertThat(driver.findElements(By.cssSelector("#charts svg"))).hasSize(3);
      assertThat(driver.findElement(By.id("deadletters")).getText()).contains("malformed");
      for (String query : List.of(REQUEST, SUBJECT)) {
        assertThat(browser.searchErasure(query, REQUEST))
            .contains("completed")
            .contains(SUBJECT)
            .contains("EXACT")
            .contains(MODEL);
      }
      browser.text();
      browser.loadTime();
      browser.screenshot(SCREENSHOT);
      assertThat(browser.consoleProblems()).as("browser console warnings and errors").isEmpty();
    }
  }

  /** Label 1 when the first feature is above one half: what {@link #sample} teaches. */
  private static int label(float[] features) {
    return features[0] > 0.5f ? 1 : 0;
  }

  private static float[] features(int i) {
    float[] f = new float[4];
    for (int k = 0; k < 4; k++) {
      f[k] = ((i * 37 + k * 11 + k * k * 5) % 23) / 22f;
    }
    return f;
  }

  /** 200 held-out rows, none of them fed. */
  private static LabeledSet heldOut() {
    float[][] rows = new float[200][];
    int[] labels = new int[200];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = features(1000 + i);
      labels[i] = label(rows[i]);
    }
    return new LabeledSet("tiny held-out rows", rows, labels);
  }

  /**
   * Samples {@code from} to {@code from + count - 1}, of subjects u-0 to u-4 but {@link #SUBJECT}
   * once it is erased, and one record that is not a sample.
   */
  private static void feed(EmbeddedStack stack, int from, int count) throws Exception {
    Properties props =
        stack
            .clientConfig(Principal.PRODUCER)
            .layerAsProperties(
                stack.bootstrapServers(),
                "console-test",
                Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    String topic = stack.topics().samplesRaw().name();
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), stack.topics().samplesRaw().valueSerde().serializer())) {
      for (int i = from; i < from + count; i++) {
        float[] f = features(i);
        List<Float> features = new ArrayList<>();
        for (float v : f) {
          features.add(v);
        }
        TrainingSample sample =
            TrainingSample.newBuilder()
                .setSampleId("s-" + i)
                .setSubjectId(from == 0 ? "u-" + i % 5 : "u-" + i % 3)
                .setDataset("tiny")
                .setTask("0")
                .setFeatures(features)
                .setLabel(label(f))
                .setEventTime(Instant.now())
                .setAttributes(null)
                .build();
        producer.send(new ProducerRecord<>(topic, sample.getSubjectId(), sample));
      }
      producer.flush();
    }
    try (KafkaProducer<String, byte[]> raw =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      raw.send(
              new ProducerRecord<>(
                  topic, "u-9", "not an Avro sample".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  /** Erases {@link #SUBJECT} from the model, as the privacy principal. */
  private static void erase(EmbeddedStack stack) throws Exception {
    ErasureRequest request =
        ErasureRequest.newBuilder(TestRecords.erasureRequest(REQUEST, SUBJECT))
            .setDataset("tiny")
            .setModels(List.of(MODEL))
            .setRequestedAt(Instant.now())
            .build();
    Properties props =
        stack
            .clientConfig(Principal.PRIVACY)
            .layerAsProperties(
                stack.bootstrapServers(),
                "console-test",
                Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    try (KafkaProducer<String, ErasureRequest> producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            stack.topics().erasuresRaw().valueSerde().serializer())) {
      producer
          .send(new ProducerRecord<>(stack.topics().erasuresRaw().name(), SUBJECT, request))
          .get();
    }
  }

  /** The console view {@code path} (under /console/api/), or a missing node if not 200. */
  private JsonNode view(EmbeddedStack stack, String path, String token) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.serviceUrl() + "/console/api/" + path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.missingNode();
  }

  private int status(String url, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
