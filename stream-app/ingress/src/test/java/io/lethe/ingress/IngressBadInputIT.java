package io.lethe.ingress;

import static io.lethe.ingress.IngressDriver.affects;
import static io.lethe.ingress.IngressDriver.appliedBy;
import static io.lethe.ingress.IngressDriver.erasure;
import static io.lethe.ingress.IngressDriver.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ReceiptStatus;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.Topic;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.schemas.topics.TopicReader;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ingress on a real broker under the inputs that used to stop it: samples larger than its
 * record limit (1.1 MB and 5 MB, which the raw topic accepts), one sample id under two keys on two
 * partitions, and a request id reused for another subject and retried unchanged. The learner job's
 * part (affected models, confirmations) is played by the test.
 */
class IngressBadInputIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir Path stateDir;

  @Test
  void shouldDeadLetterOversizedDuplicateAndReusedInputsAndKeepGoing() throws Exception {
    TopicNames names = TopicNames.defaults();
    LetheTopics topics = LetheTopics.create(names, kafka.registryClient());
    kafka.createTopic(names.samplesRaw(), 2, Map.of());
    IngressApp.Connection connection =
        new IngressApp.Connection(
            "lethe-ingress-bad-input", kafka.bootstrapServers(), stateDir, 0, "localhost");
    try (IngressApp app =
            IngressApp.start(
                connection, topics, names, IngressDriver.CATALOG, IngressSettings.defaults());
        KafkaProducer<String, TrainingSample> samples = producer(topics.samplesRaw());
        KafkaProducer<String, ErasureRequest> erasures = producer(topics.erasuresRaw())) {
      Await.until(
          "ingress running", BOUND, () -> app.streams().state() == KafkaStreams.State.RUNNING);
      int port = app.httpPort().orElseThrow();

      // A completed erasure, so the status endpoint has something to answer throughout.
      send(erasures, topics.erasuresRaw(), 0, "u-1", erasure("r-1", "u-1").build());
      assertThat(kafka.consume(topics.erasures(), 1, BOUND).get(0).value().getRequestId())
          .isEqualTo("r-1");
      kafka.produce(topics.erasuresAffected(), "r-1", affects("r-1", "fmnist-analytic"));
      kafka.produce(topics.erasuresApplied(), "r-1", appliedBy("r-1", "fmnist-analytic", 7));
      ErasureReceipt receipt = kafka.consume(topics.receipts(), 1, BOUND).get(0).value();
      assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
      assertThat(statusOf(port, "r-1")).isEqualTo("COMPLETED");

      // Valid samples far over the 1 MiB record limit, then a valid one, then its id again on the
      // other partition under another key.
      RecordMetadata large =
          send(samples, topics.samplesRaw(), 0, "u-1", sampleOf("s-1", 1_100_000));
      RecordMetadata huge =
          send(samples, topics.samplesRaw(), 1, "u-2", sampleOf("s-2", 5_000_000));
      TrainingSample valid = sample("s-3", "u-3").build();
      send(samples, topics.samplesRaw(), 0, "u-3", valid);
      RecordMetadata duplicate =
          send(samples, topics.samplesRaw(), 1, "u-4", sample("s-3", "u-4").build());

      // The request id of r-1 for another subject, then r-1 exactly again (a retry).
      RecordMetadata reused =
          send(erasures, topics.erasuresRaw(), 0, "u-2", erasure("r-1", "u-2").build());
      send(erasures, topics.erasuresRaw(), 0, "u-1", erasure("r-1", "u-1").build());

      List<ConsumerRecord<String, DeadLetter>> dead = kafka.consume(topics.deadLetter(), 4, BOUND);
      Map<String, List<ConsumerRecord<String, DeadLetter>>> byCode =
          dead.stream()
              .collect(
                  Collectors.groupingBy(
                      d -> DeadLetterHeaders.text(d.headers(), DeadLetterHeaders.REASON_CODE)));
      assertThat(byCode.keySet())
          .containsExactlyInAnyOrder(
              Rejection.RECORD_TOO_LARGE, Rejection.DUPLICATE_SAMPLE, Rejection.REQUEST_ID_REUSED);
      assertTooLarge(byCode.get(Rejection.RECORD_TOO_LARGE), large, huge);
      DeadLetter duplicated = byCode.get(Rejection.DUPLICATE_SAMPLE).get(0).value();
      assertThat(duplicated.getSourcePartition()).isEqualTo(duplicate.partition());
      assertThat(duplicated.getSourceOffset()).isEqualTo(duplicate.offset());
      DeadLetter refused = byCode.get(Rejection.REQUEST_ID_REUSED).get(0).value();
      assertThat(refused.getSourceOffset()).isEqualTo(reused.offset());

      // The retry re-sends the standing receipt; the reuse reached nobody.
      List<ConsumerRecord<String, ErasureReceipt>> receipts =
          kafka.consume(topics.receipts(), 2, BOUND);
      assertThat(receipts.get(1).value()).isEqualTo(receipt);
      assertThat(readToEnd(topics.erasures()))
          .extracting(r -> r.value().getIds())
          .containsExactly(List.of("u-1"));
      assertThat(readToEnd(topics.samples()))
          .extracting(ConsumerRecord::value)
          .containsExactly(valid);
      assertThat(statusOf(port, "r-1")).isEqualTo("COMPLETED");
      assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      HttpResponse<String> ready = get(port, "/readyz");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(clientMetric(app, "failed-stream-threads")).isZero();
    }
  }

  private static void assertTooLarge(
      List<ConsumerRecord<String, DeadLetter>> letters, RecordMetadata... sent) {
    assertThat(letters).hasSize(sent.length);
    for (RecordMetadata original : sent) {
      DeadLetter letter =
          letters.stream()
              .map(ConsumerRecord::value)
              .filter(
                  d ->
                      d.getSourcePartition() == original.partition()
                          && d.getSourceOffset() == original.offset())
              .findFirst()
              .orElseThrow(() -> new AssertionError("no dead letter for " + original));
      long size = original.serializedKeySize() + original.serializedValueSize();
      assertThat(letter.getOriginalSize()).isEqualTo(size);
      assertThat(letter.getTruncated()).isTrue();
      assertThat(letter.getValue().remaining()).isEqualTo(DeadLetterEnvelope.PREFIX_BYTES);
      assertThat(letter.getReason())
          .isEqualTo(
              "record at lethe.samples.raw-"
                  + original.partition()
                  + "@"
                  + original.offset()
                  + " is "
                  + size
                  + " bytes, over the limit of 1048576 (ingress setting max-record-bytes)");
    }
  }

  /** A valid sample whose attributes make its record about {@code bytes} long. */
  private static TrainingSample sampleOf(String sampleId, int bytes) {
    return sample(sampleId, "u-big").setAttributes(Map.of("note", "x".repeat(bytes))).build();
  }

  private static <V> KafkaProducer<String, V> producer(Topic<String, V> topic) {
    Properties props = kafka.producerProperties();
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    return new KafkaProducer<>(
        props, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  private static <V> RecordMetadata send(
      KafkaProducer<String, V> producer, Topic<String, V> topic, int partition, String key, V value)
      throws Exception {
    return producer
        .send(new ProducerRecord<>(topic.name(), partition, key, value))
        .get(30, TimeUnit.SECONDS);
  }

  private static <V> List<ConsumerRecord<String, V>> readToEnd(Topic<String, V> topic) {
    return TopicReader.readToEnd(kafka.consumerProperties(), topic, BOUND);
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String statusOf(int port, String requestId) throws Exception {
    HttpResponse<String> response = get(port, "/v1/erasures/" + requestId);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("status").asText();
  }

  private static double clientMetric(IngressApp app, String name) {
    return app.streams().metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }
}
