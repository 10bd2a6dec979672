package io.lethe.ingress;

import io.lethe.catalog.ModelCatalog;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.metrics.PrometheusText;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.Topic;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.TestRecords;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The production ingress topology and configuration in a {@link TopologyTestDriver}, with typed
 * input and output topics and metric look-ups.
 */
final class IngressDriver implements AutoCloseable {
  /** Wall-clock start: 200 ms after {@link TestRecords#T0}, the test requests' requestedAt. */
  static final Instant WALL_CLOCK_START = TestRecords.T0.plusMillis(200);

  /** Two datasets, three models. */
  static final ModelCatalog CATALOG =
      ModelCatalog.parse(
          String.join(
              "\n",
              "datasets:",
              "  - {name: fashion-mnist, features: 784, classes: 10}",
              "  - {name: toy, features: 3, classes: 2}",
              "models:",
              "  - {name: fmnist-analytic, learner: analytic, dataset: fashion-mnist}",
              "  - {name: fmnist-hypernet, learner: hypernetwork, dataset: fashion-mnist}",
              "  - {name: toy-analytic, learner: analytic, dataset: toy}"),
          "test-catalog.yaml");

  final TopicNames names = TopicNames.defaults();
  final LetheTopics topics;
  final TopologyTestDriver driver;
  final TestInputTopic<String, TrainingSample> samplesRaw;
  final TestInputTopic<byte[], byte[]> samplesRawBytes;
  final TestInputTopic<String, ErasureRequest> erasuresRaw;
  final TestInputTopic<byte[], byte[]> erasuresRawBytes;
  final TestInputTopic<String, ErasureAffected> affected;
  final TestInputTopic<String, ErasureApplied> applied;
  final TestOutputTopic<String, TrainingSample> samples;
  final TestOutputTopic<String, ErasureRequest> erasures;
  final TestOutputTopic<String, DeadLetter> deadLetters;
  final TestOutputTopic<String, ErasureReceipt> receipts;

  IngressDriver(SchemaRegistryClient registry, IngressSettings settings, Path stateDir) {
    this(registry, settings, stateDir, null);
  }

  /** As the ingress with {@code --signing-key}: every receipt signed by {@code signer}. */
  IngressDriver(
      SchemaRegistryClient registry,
      IngressSettings settings,
      Path stateDir,
      ReceiptSigner signer) {
    topics = LetheTopics.create(names, registry);
    driver =
        new TopologyTestDriver(
            IngressTopology.topology(topics, CATALOG, settings, signer),
            IngressApp.streamsConfig(
                new IngressApp.Connection("ingress-test", "unused:9092", stateDir, -1, "localhost"),
                null,
                topics,
                settings),
            WALL_CLOCK_START);
    samplesRaw = input(topics.samplesRaw());
    samplesRawBytes = bytesInput(names.samplesRaw());
    erasuresRaw = input(topics.erasuresRaw());
    erasuresRawBytes = bytesInput(names.erasuresRaw());
    affected = input(topics.erasuresAffected());
    applied = input(topics.erasuresApplied());
    samples = output(topics.samples());
    erasures = output(topics.erasures());
    deadLetters = output(topics.deadLetter());
    receipts = output(topics.receipts());
  }

  /** A valid fashion-mnist sample (784 features, label 3) of {@code subject}. */
  static TrainingSample.Builder sample(String sampleId, String subject) {
    return TrainingSample.newBuilder(TestRecords.trainingSample(sampleId, subject))
        .setFeatures(Collections.nCopies(784, 0.5f))
        .setLabel(3)
        .setAttributes(null);
  }

  /** A valid SUBJECT-scope erasure of {@code subject} for every model, requested at T0. */
  static ErasureRequest.Builder erasure(String requestId, String subject) {
    return ErasureRequest.newBuilder(TestRecords.erasureRequest(requestId, subject))
        .setDataset(null)
        .setModels(List.of());
  }

  /** The job's answer that {@code requestId} affects {@code models}. */
  static ErasureAffected affects(String requestId, String... models) {
    return ErasureAffected.newBuilder(TestRecords.erasureAffected(requestId))
        .setModels(List.of(models))
        .build();
  }

  /** An EXACT confirmation by {@code model}, first version without the data {@code version}. */
  static ErasureApplied appliedBy(String requestId, String model, long version) {
    return ErasureApplied.newBuilder(TestRecords.erasureApplied(requestId, model))
        .setFirstVersionWithout(version)
        .build();
  }

  KeyValueStore<String, Long> sampleIdsStore() {
    return driver.getKeyValueStore(IngressTopology.SAMPLE_IDS_STORE);
  }

  KeyValueStore<String, ErasureState> erasuresStore() {
    return driver.getKeyValueStore(IngressTopology.ERASURES_STORE);
  }

  /** The sum of ingress metric {@code name} over every tag set that includes {@code tags}. */
  double metric(String name, Map<String, String> tags) {
    double sum = 0;
    List<MetricName> found = new ArrayList<>();
    for (var entry : driver.metrics().entrySet()) {
      MetricName metric = entry.getKey();
      if (metric.group().equals(IngressMetrics.GROUP)
          && metric.name().equals(name)
          && metric.tags().entrySet().containsAll(tags.entrySet())) {
        found.add(metric);
        sum += ((Number) entry.getValue().metricValue()).doubleValue();
      }
    }
    return found.isEmpty() ? 0 : sum;
  }

  /** The ingress's own metrics as {@code /metrics} exports them, in the Prometheus text format. */
  String prometheus() {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new IngressPrometheus(driver::metrics, null));
    return new String(new PrometheusText(registry).scrape(), StandardCharsets.UTF_8);
  }

  void advanceWallClock(Duration duration) {
    driver.advanceWallClockTime(duration);
  }

  private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
    return driver.createInputTopic(
        topic.name(),
        topic.keySerde().serializer(),
        topic.valueSerde().serializer(),
        TestRecords.T0,
        Duration.ZERO);
  }

  private TestInputTopic<byte[], byte[]> bytesInput(String topic) {
    return driver.createInputTopic(
        topic,
        Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(),
        TestRecords.T0,
        Duration.ZERO);
  }

  private <K, V> TestOutputTopic<K, V> output(Topic<K, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  @Override
  public void close() {
    driver.close();
  }
}
