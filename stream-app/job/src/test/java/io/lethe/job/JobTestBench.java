package io.lethe.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.catalog.ModelCatalog;
import io.lethe.job.learner.LearnerFactory;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.OfflineRetrain;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.hypernet.HypernetScorer;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.Topic;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the learner job's integration tests share: Fashion-MNIST samples of tasks 0 and 1 with
 * subjects spread over both, an analytic model, the job on a MiniCluster against the test broker, a
 * reader collecting every output topic (read_committed), and the offline retrain to compare with.
 */
final class JobTestBench implements AutoCloseable {
  static final String MODEL = "fmnist-analytic";
  static final int BUFFER_SIZE = 512;
  static final int SUBJECTS = 40;
  static final Duration BOUND = Duration.ofSeconds(90);
  static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

  final List<TrainingSample> samples = new ArrayList<>();
  final List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
  final List<ErasureApplied> applied = new CopyOnWriteArrayList<>();
  final List<ErasureAffected> affected = new CopyOnWriteArrayList<>();
  final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

  /** The Kafka headers of each of {@link #deadLetters}, in the same order, name to UTF-8 text. */
  final List<Map<String, String>> deadLetterHeaders = new CopyOnWriteArrayList<>();

  final LetheTopics topics;
  final ModelCatalog catalog;
  final int restPort;
  final JobClient job;

  private final KafkaExtension kafka;
  private final Thread reader;
  private volatile boolean reading = true;

  /**
   * Loads {@code perTask} samples of each of tasks 0 and 1 and starts the job with {@code
   * learners}.
   */
  JobTestBench(KafkaExtension kafka, Path dir, int perTask, LearnerFactory learners)
      throws Exception {
    this(kafka, dir, perTask, learners, "");
  }

  /** As above, with more catalog model entries (YAML list items) after the analytic model. */
  JobTestBench(
      KafkaExtension kafka, Path dir, int perTask, LearnerFactory learners, String moreModels)
      throws Exception {
    this(kafka, dir, perTask, learners, moreModels, 1);
  }

  /** As above, with every operator at {@code parallelism}. */
  JobTestBench(
      KafkaExtension kafka,
      Path dir,
      int perTask,
      LearnerFactory learners,
      String moreModels,
      int parallelism)
      throws Exception {
    this.kafka = kafka;
    LabeledSet train = FashionMnist.load().train();
    int[] perClass = new int[4];
    for (int i = 0; i < train.size() && samples.size() < 2 * perTask; i++) {
      int label = train.labels()[i];
      if (label < 4 && perClass[label] < perTask / 2) {
        perClass[label]++;
        samples.add(TestSamples.trainingSample(train, i, "u-" + samples.size() % SUBJECTS));
      }
    }
    Path catalogFile =
        Files.writeString(
            dir.resolve("catalog.yaml"),
            TestSamples.analyticCatalog(MODEL, BUFFER_SIZE, 0.1) + moreModels);
    catalog = ModelCatalog.load(catalogFile);
    topics = LetheTopics.create(TopicNames.defaults(), kafka.registryClient());
    restPort = freePort();
    JobSettings settings =
        JobSettings.defaults(catalogFile, kafka.bootstrapServers(), kafka.registryUrl())
            .withCheckpointInterval(Duration.ofMillis(500))
            .withMicroBatchSize(128)
            .withParallelism(parallelism)
            .withRestPort(restPort)
            .withCheckpointDirectory(dir.resolve("checkpoints"));
    StreamExecutionEnvironment env = LearnerJobMain.localEnvironment(settings);
    job = LearnerJobMain.start(env, settings, catalog, learners);
    reader = new Thread(this::readOutputs, "it-output-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public void close() throws Exception {
    reading = false;
    job.cancel().get();
    reader.join(10_000);
  }

  static long learned(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream()
        .mapToLong(TaskSamples::getSamples)
        .sum();
  }

  ModelSnapshot awaitSnapshot(Predicate<ModelSnapshot> wanted) {
    Await.until("a matching snapshot", BOUND, () -> snapshots.stream().anyMatch(wanted));
    return snapshots.stream().filter(wanted).reduce((a, b) -> b).orElseThrow();
  }

  static double[] headWeights(ModelSnapshot snapshot) {
    Tensor head =
        snapshot.getTensors().stream()
            .filter(t -> t.getName().equals("head.weight"))
            .findFirst()
            .orElseThrow();
    ByteBuffer bytes = head.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    double[] values = new double[bytes.remaining() / Double.BYTES];
    bytes.asDoubleBuffer().get(values);
    return values;
  }

  /** The analytic model trained offline, task by task, on {@code retained} only. */
  static double[] offlineWeights(List<TrainingSample> retained) {
    AnalyticSettings settings =
        new AnalyticSettings(
            7,
            784,
            BUFFER_SIZE,
            0.1,
            10,
            AnalyticSettings.DEFAULT_WOODBURY_MAX_ROWS,
            AnalyticSettings.DEFAULT_REFRESH_AFTER_DOWNDATES);
    return OfflineRetrain.analyticWeights(settings, retained);
  }

  static double maxRelativeDifference(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    }
    return maxDiff / maxAbs;
  }

  /**
   * Task-incremental accuracy of a hypernetwork snapshot on {@code task}, on the Fashion-MNIST test
   * split.
   */
  static double hypernetAccuracy(ModelSnapshot snapshot, String task) {
    List<Integer> classes =
        snapshot.getScoring().stream()
            .filter(s -> s.getKey().equals("task." + task + ".classes"))
            .map(s -> Arrays.stream(s.getValue().split(",")).map(Integer::valueOf).toList())
            .findFirst()
            .orElseThrow();
    LabeledSet test = FashionMnist.load().test();
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) {
      if (classes.contains(test.labels()[i])) {
        rows.add(test.features()[i]);
        labels.add(test.labels()[i]);
      }
    }
    try (HypernetScorer scorer = HypernetScorer.fromSnapshot(snapshot)) {
      int[] predicted = scorer.predict(task, rows.toArray(new float[0][]));
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += classes.get(predicted[i]).equals(labels.get(i)) ? 1 : 0;
      }
      return correct / (double) predicted.length;
    }
  }

  /**
   * Streams task 0's samples, then task 1's, each once {@code model} serves a version with all the
   * samples before it (a task-incremental hypernetwork sees one task at a time, as in the Split
   * Fashion-MNIST protocol; interleaved tasks would switch its window constantly).
   *
   * @return the first snapshot of {@code model} with every sample learned
   */
  ModelSnapshot learnTaskAfterTask(String model) {
    long fed = 0;
    for (String task : List.of("0", "1")) {
      List<TrainingSample> ofTask = samples.stream().filter(s -> s.getTask().equals(task)).toList();
      produceSamples(ofTask);
      long expected = fed + ofTask.size();
      fed = expected;
      awaitSnapshot(s -> s.getModel().equals(model) && learned(s) == expected);
    }
    long all = fed;
    return awaitSnapshot(s -> s.getModel().equals(model) && learned(s) == all);
  }

  static ErasureRequest subjectErasure(String id, String subject, Instant at) {
    return ErasureRequest.newBuilder()
        .setRequestId(id)
        .setScope(ErasureScope.SUBJECT)
        .setIds(List.of(subject))
        .setSubjectId(subject)
        .setDataset(null)
        .setModels(List.of())
        .setRequestedAt(at)
        .setRequester("it")
        .build();
  }

  static ErasureRequest sampleErasure(
      String id, String subject, List<String> sampleIds, Instant at) {
    ErasureRequest request = subjectErasure(id, subject, at);
    request.setScope(ErasureScope.SAMPLE);
    request.setIds(sampleIds);
    return request;
  }

  void produceSamples(List<TrainingSample> batch) {
    produce(topics.samples(), batch);
  }

  /** Sends samples the way services do: to the raw topic, through the ingress. */
  void produceRawSamples(List<TrainingSample> batch) {
    produce(topics.samplesRaw(), batch);
  }

  private void produce(Topic<String, TrainingSample> topic, List<TrainingSample> batch) {
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            kafka.producerProperties(),
            topic.keySerde().serializer(),
            topic.valueSerde().serializer())) {
      for (TrainingSample sample : batch) {
        producer.send(new ProducerRecord<>(topic.name(), sample.getSubjectId(), sample));
      }
    }
  }

  void produceErasure(ErasureRequest request) {
    kafka.produce(topics.erasures(), request.getSubjectId(), request);
  }

  private void readOutputs() {
    Properties props = kafka.consumerProperties();
    props.put("max.partition.fetch.bytes", String.valueOf(64 * 1024 * 1024));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicNames names = TopicNames.defaults();
      consumer.subscribe(
          List.of(
              names.models(),
              names.erasuresApplied(),
              names.erasuresAffected(),
              names.deadLetter()));
      while (reading) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String topic = r.topic();
          if (topic.equals(names.models())) {
            snapshots.add(
                topics.models().valueSerde().deserializer().deserialize(topic, r.value()));
          } else if (topic.equals(names.erasuresApplied())) {
            applied.add(
                topics.erasuresApplied().valueSerde().deserializer().deserialize(topic, r.value()));
          } else if (topic.equals(names.erasuresAffected())) {
            affected.add(
                topics
                    .erasuresAffected()
                    .valueSerde()
                    .deserializer()
                    .deserialize(topic, r.value()));
          } else {
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), UTF_8)));
            deadLetterHeaders.add(headers);
            deadLetters.add(
                topics.deadLetter().valueSerde().deserializer().deserialize(topic, r.value()));
          }
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A counter of the Learner operator's subtask 0, read from the Flink REST API. */
  long learnerMetric(String name) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    String base = "http://localhost:" + restPort + "/jobs/" + job.getJobID();
    for (JsonNode vertex : json.readTree(get(http, base)).get("vertices")) {
      if (vertex.get("name").asText().contains("Learner")) {
        String url =
            base + "/vertices/" + vertex.get("id").asText() + "/metrics?get=0.Learner." + name;
        for (JsonNode metric : json.readTree(get(http, url))) {
          return (long) Double.parseDouble(metric.get("value").asText());
        }
      }
    }
    return -1;
  }

  private static String get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
