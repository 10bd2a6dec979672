package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cluster.ClusterSettings;
import io.lethe.cluster.FlinkRestClient;
import io.lethe.cluster.LocalCluster;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real multi-process cluster: a JobManager and a TaskManager JVM, a Kafka broker
 * process and a schema registry process ({@link LocalCluster}), the jar submitted over REST as
 * {@code lethe job --cluster} does, Fashion-MNIST samples in, a snapshot out on {@code
 * lethe.models}, and the job with Lethe's metrics on the cluster's REST API; then the process
 * controls the fault tests use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterJobIT {
  private static final String MODEL = "fmnist-analytic";
  private static final int SAMPLES = 300;
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static Path catalog;
  private static String jobId;

  @BeforeAll
  static void startCluster() throws IOException {
    // Built by the deploy/cluster-runtime module, which this module's build depends on.
    Path flinkClasspath =
        Path.of("..", "deploy", "cluster-runtime", "target", "flink-classpath.txt");
    // Surefire may run tests from a manifest-only jar; the real class path is in this property.
    String services =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ClusterSettings settings =
        ClusterSettings.defaults(Files.readString(flinkClasspath).strip(), services)
            .withStateDir(dir.resolve("cluster"))
            .withPorts(freePort(), freePort(), freePort(), freePort(), freePort())
            .withTaskManagers(1, 2, "1536m");
    Instant begin = Instant.now();
    cluster = LocalCluster.start(settings, System.out);
    System.out.printf(
        "ClusterJobIT: cluster up in %.1f s%n",
        Duration.between(begin, Instant.now()).toMillis() / 1e3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void shouldLearnFromKafkaOnTheMultiProcessCluster() throws Exception {
    catalog =
        Files.writeString(
            dir.resolve("catalog.yaml"),
            """
            datasets:
              - {name: fashion-mnist, features: 784, classes: 10}
            models:
              - name: %s
                learner: analytic
                dataset: fashion-mnist
                snapshot: {every-samples: 1000000, interval: 1s, after-erasure: 300ms}
                settings: {buffer-size: 256, gamma: 0.1, seed: 7}
            """
                .formatted(MODEL));
    Instant submitted = Instant.now();
    jobId =
        submit(
            "--cluster", cluster.jobManagerAddress(),
            "--catalog", catalog.toString(),
            "--bootstrap", cluster.bootstrapServers(),
            "--registry", cluster.registryUrl(),
            "--checkpoint-interval", "1s",
            "--micro-batch", "64");
    FlinkRestClient rest = cluster.rest();
    Await.until(
        "job " + jobId + " RUNNING",
        BOUND,
        () -> rest.jobState(jobId).orElse("").equals("RUNNING"));
    System.out.printf(
        "ClusterJobIT: job running %.1f s after submission%n",
        Duration.between(submitted, Instant.now()).toMillis() / 1e3);

    LetheTopics topics =
        LetheTopics.create(
            TopicNames.defaults(), SchemaRegistryClient.create(cluster.registryUrl()));
    List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readSnapshots(topics, snapshots), "it-snapshot-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      produce(topics, samples());
      Await.until(
          "a snapshot on lethe.models that learned all " + SAMPLES + " samples",
          BOUND,
          () -> snapshots.stream().anyMatch(s -> learned(s) == SAMPLES));
    } finally {
      reader.interrupt();
    }
    ModelSnapshot snapshot =
        snapshots.stream().filter(s -> learned(s) == SAMPLES).findFirst().orElseThrow();
    assertThat(snapshot.getModel()).isEqualTo(MODEL);
    System.out.printf(
        "ClusterJobIT: snapshot version %d with %d samples %.1f s after submission%n",
        snapshot.getVersion(),
        learned(snapshot),
        Duration.between(submitted, Instant.now()).toMillis() / 1e3);

    // The dashboard's REST API shows the job running with Lethe's metrics, on a TaskManager that
    // is a process of its own.
    assertThat(rest.jobState(jobId)).contains("RUNNING");
    Await.until(
        "samplesLearned on the cluster's REST API",
        BOUND,
        () -> rest.metric(jobId, "Learner", "0.Learner.samplesLearned").orElse(-1) >= SAMPLES);
    Await.until(
        "the model version on the cluster's REST API",
        BOUND,
        () ->
            rest.metric(jobId, "Learner", "0.Learner.model." + MODEL + ".version").orElse(-1)
                >= snapshot.getVersion());
    assertThat(rest.metric(jobId, "ErasureLedger", "0.ErasureLedger.ledgerSamplesRecorded"))
        .hasValue(SAMPLES);
    List<String> learnerTaskManagers = taskManagersOf(jobId, "Learner");
    assertThat(learnerTaskManagers).hasSize(1);
    assertThat(cluster.running())
        .containsKeys("jobmanager", "kafka", "registry", learnerTaskManagers.get(0));
  }

  /** Stop with a savepoint over REST, resume with {@code lethe job --cluster --savepoint}. */
  @Test
  @Order(2)
  void shouldResumeFromASavepoint() throws Exception {
    FlinkRestClient rest = cluster.rest();
    String savepoint = rest.cancelWithSavepoint(jobId, null, BOUND);
    assertThat(rest.jobState(jobId)).contains("CANCELED");
    String resumed =
        submit(
            "--cluster", cluster.jobManagerAddress(),
            "--catalog", catalog.toString(),
            "--bootstrap", cluster.bootstrapServers(),
            "--registry", cluster.registryUrl(),
            "--checkpoint-interval", "1s",
            "--micro-batch", "64",
            "--savepoint", savepoint);
    Await.until(
        "job " + resumed + " RUNNING",
        BOUND,
        () -> rest.jobState(resumed).orElse("").equals("RUNNING"));
    JsonNode restored =
        new ObjectMapper()
            .readTree(
                get(
                    HttpClient.newHttpClient(),
                    cluster.dashboardUrl() + "/jobs/" + resumed + "/checkpoints"))
            .path("latest")
            .path("restored");
    assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);
    assertThat(restored.path("is_savepoint").asBoolean()).isTrue();
  }

  /** What the fault tests build on: kill -9 and restart a TaskManager, stop and restart Kafka. */
  @Test
  @Order(3)
  void shouldKillAndRestartTaskManagersAndTheBroker() throws Exception {
    int before = cluster.registeredTaskManagers();
    int victim = cluster.taskManagers().get(0);
    Instant start = Instant.now();
    cluster.killTaskManager(victim);
    assertThat(cluster.taskManagers()).doesNotContain(victim);
    Await.until(
        "the JobManager to notice the lost TaskManager",
        BOUND,
        () -> cluster.registeredTaskManagers() == before - 1);
    Duration noticed = Duration.between(start, Instant.now());
    int replacement = cluster.startTaskManager();
    assertThat(replacement).isGreaterThan(victim);
    assertThat(cluster.registeredTaskManagers()).isEqualTo(before);
    Duration replaced = Duration.between(start, Instant.now());

    start = Instant.now();
    cluster.stopBroker();
    assertThat(cluster.running()).doesNotContainKey("kafka");
    cluster.startBroker();
    Duration brokerRestart = Duration.between(start, Instant.now());
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      // The broker kept its log directory: the topics the job created are still there.
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains(TopicNames.defaults().models());
    }
    System.out.printf(
        "ClusterJobIT: killed TaskManager noticed after %.1f s, replaced after %.1f s;"
            + " broker stopped and serving again after %.1f s%n",
        noticed.toMillis() / 1e3, replaced.toMillis() / 1e3, brokerRestart.toMillis() / 1e3);
  }

  /** Submits as {@code lethe job --cluster} does and returns the job id it prints. */
  private static String submit(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        JobSubmission.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("exit code; stderr: %s", err.toString(StandardCharsets.UTF_8)).isZero();
    Matcher id = Pattern.compile("submitted job ([0-9a-f]{32})").matcher(printed);
    assertThat(id.find()).as("job id in: %s", printed).isTrue();
    assertThat(printed).contains(cluster.dashboardUrl() + "/#/job/running/" + id.group(1));
    return id.group(1);
  }

  /** Samples of classes 0-3 (tasks 0 and 1), as in the job's other integration tests. */
  private static List<TrainingSample> samples() throws IOException {
    LabeledSet train = FashionMnist.load().train();
    List<TrainingSample> samples = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-26T08:00:00Z");
    for (int i = 0; i < train.size() && samples.size() < SAMPLES; i++) {
      int label = train.labels()[i];
      if (label < 4) {
        List<Float> features = new ArrayList<>(784);
        for (float v : train.features()[i]) {
          features.add(v);
        }
        samples.add(
            TrainingSample.newBuilder()
                .setSampleId("s-" + i)
                .setSubjectId("u-" + samples.size() % 20)
                .setDataset("fashion-mnist")
                .setTask(String.valueOf(label / 2))
                .setFeatures(features)
                .setLabel(label)
                .setEventTime(t0.plusMillis(i))
                .setAttributes(null)
                .build());
      }
    }
    return samples;
  }

  private static void produce(LetheTopics topics, List<TrainingSample> samples) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            props,
            topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer())) {
      for (TrainingSample sample : samples) {
        producer.send(new ProducerRecord<>(topics.samples().name(), sample.getSubjectId(), sample));
      }
    }
  }

  private static void readSnapshots(LetheTopics topics, List<ModelSnapshot> snapshots) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.models().name()));
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          snapshots.add(
              topics.models().valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long learned(ModelSnapshot snapshot) {
    return JobTestBench.learned(snapshot);
  }

  /** The resource ids of the TaskManagers running the job's vertex named {@code vertexName}. */
  private static List<String> taskManagersOf(String jobId, String vertexName) throws Exception {
    ObjectMapper json = new ObjectMapper();
    HttpClient http = HttpClient.newHttpClient();
    String base = cluster.dashboardUrl() + "/jobs/" + jobId;
    for (JsonNode vertex : json.readTree(get(http, base)).path("vertices")) {
      if (vertex.path("name").asText().equals(vertexName)) {
        JsonNode managers =
            json.readTree(
                get(http, base + "/vertices/" + vertex.path("id").asText() + "/taskmanagers"));
        List<String> ids = new ArrayList<>();
        for (JsonNode manager : managers.path("taskmanagers")) {
          ids.add(manager.path("taskmanager-id").asText());
        }
        return ids;
      }
    }
    return List.of();
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
