package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cluster.ClusterApps;
import io.lethe.cluster.LocalCluster;
import io.lethe.cluster.LocalClusterMain;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local deployment as {@code lethe cluster up} starts it: a JobManager and a TaskManager
 * JVM, a Kafka broker process and a schema registry process ({@link LocalCluster}), the job jar
 * submitted over REST as {@code lethe job --cluster} does, the ingress and the model service as
 * processes of their own ({@link ClusterApps}). Fashion-MNIST samples in, a snapshot out on {@code
 * lethe.models}, the job with Lethe's metrics on the cluster's REST API and in Prometheus scrapes;
 * then the process controls the fault tests use, and {@code lethe cluster down} with nothing left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterJobIT {
  private static final String MODEL = "fmnist-analytic";
  private static final int SAMPLES = 300;
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private static Path stateDir;
  private static LocalCluster cluster;
  private static Path catalog;
  private static String jobId;

  @BeforeAll
  static void startCluster() throws IOException {
    catalog =
        Files.writeString(
            dir.resolve("catalog.yaml"), TestSamples.analyticCatalog(MODEL, 256, 0.1));
    Instant begin = Instant.now();
    stateDir = dir.resolve("cluster");
    cluster = ClusterTestSupport.upDeployment(stateDir, 1, catalog);
    System.out.printf(
        "ClusterJobIT: cluster, job, ingress and service up in %.1f s%n",
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
    Instant submitted = Instant.now();
    jobId = new ClusterApps(cluster).submittedJob().orElseThrow();
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
            TopicNames.defaults(),
            SchemaRegistryClient.create(
                cluster.registryUrl(), cluster.adminClientConfig().registryProperties()));
    List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readSnapshots(topics, snapshots), "it-snapshot-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      produce(topics, TestSamples.samples(SAMPLES, 20));
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
    List<String> learnerTaskManagers = ClusterTestSupport.taskManagersOf(cluster, jobId, "Learner");
    assertThat(learnerTaskManagers).hasSize(1);
    assertThat(cluster.running())
        .containsKeys("jobmanager", "kafka", "registry", learnerTaskManagers.get(0));
  }

  /**
   * An erasure through the ingress gets its receipt at the status endpoint; then the scrapes of
   * Flink's reporters have Lethe's job metrics, Flink's JVM metrics and the Kafka source's lag, the
   * model service's /metrics has Lethe's serving metrics, and {@code lethe cluster status} reports
   * every part healthy.
   */
  @Test
  @Order(2)
  void shouldExportTheDeploymentsMetricsToPrometheusAndReportItHealthy() throws Exception {
    ClusterApps apps = new ClusterApps(cluster);
    String token = Files.readString(cluster.httpTokenFile().orElseThrow()).strip();
    LetheTopics topics =
        LetheTopics.create(
            TopicNames.defaults(),
            SchemaRegistryClient.create(
                cluster.registryUrl(), cluster.adminClientConfig().registryProperties()));
    Properties props = new Properties();
    props.putAll(cluster.adminClientConfig().kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (KafkaProducer<String, ErasureRequest> producer =
        new KafkaProducer<>(
            props,
            topics.erasuresRaw().keySerde().serializer(),
            topics.erasuresRaw().valueSerde().serializer())) {
      producer.send(
          new ProducerRecord<>(
              topics.erasuresRaw().name(),
              "u-3",
              JobTestBench.subjectErasure("r-cluster", "u-3", Instant.now())));
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest receipt =
        HttpRequest.newBuilder(URI.create(apps.ingressUrl() + "/v1/erasures/r-cluster"))
            .header("Authorization", "Bearer " + token)
            .build();
    Await.until(
        "the receipt of r-cluster COMPLETED at the status endpoint",
        BOUND,
        () -> {
          HttpResponse<String> response = http.send(receipt, HttpResponse.BodyHandlers.ofString());
          return response.statusCode() == 200 && response.body().contains("\"COMPLETED\"");
        });

    Map<String, String> scrapes = cluster.metricsUrls();
    assertThat(scrapes).containsOnlyKeys("jobmanager", "taskmanager-1");
    String taskManager = scrapes.get("taskmanager-1");
    Await.until(
        "samplesLearned and erasuresApplied in the TaskManager's scrape",
        BOUND,
        () -> {
          String text = ClusterTestSupport.get(http, taskManager);
          return sum(text, "flink_taskmanager_job_task_operator_" + JobMetrics.SAMPLES_LEARNED)
                  >= SAMPLES
              && sum(text, "flink_taskmanager_job_task_operator_" + JobMetrics.ERASURES_APPLIED)
                  >= 1;
        });
    String text = ClusterTestSupport.get(http, taskManager);
    assertThat(text)
        .contains(
            "flink_taskmanager_job_task_operator_" + JobMetrics.LEDGER_SAMPLES_RECORDED + "{",
            "flink_taskmanager_job_task_operator_pendingRecords{",
            "flink_taskmanager_Status_JVM_Memory_Heap_Used",
            "flink_taskmanager_Status_JVM_CPU_Load");
    assertThat(ClusterTestSupport.get(http, scrapes.get("jobmanager")))
        .contains(
            "flink_jobmanager_Status_JVM_Memory_Heap_Used",
            "flink_jobmanager_job_numRestarts",
            "flink_jobmanager_numRunningJobs");

    Await.until(
        "the service's scrape with the model's version",
        BOUND,
        () ->
            ClusterTestSupport.get(http, apps.serviceUrl() + "/metrics")
                .contains("lethe_serving_model_version{model=\"" + MODEL + "\"}"));
    assertThat(ClusterTestSupport.get(http, apps.serviceUrl() + "/metrics"))
        .contains("lethe_serving_snapshots_loaded_total", "lethe_serving_ready ");
    assertThat(text)
        .as("the model's input lag, labelled with the model's own name")
        .contains(
            "flink_taskmanager_job_task_operator_model_" + JobMetrics.MODEL_INPUT_LAG_MILLIS + "{",
            "model=\"" + MODEL + "\"");
    assertThat(ClusterTestSupport.get(http, apps.serviceUrl() + "/metrics"))
        .contains(
            "jvm_memory_used_bytes{",
            "process_cpu_seconds_total ",
            "kafka_consumer_fetch_manager_");
    String ingress = ClusterTestSupport.get(http, apps.ingressUrl() + "/metrics");
    assertThat(ingress)
        .contains(
            "lethe_ingress_accepted_total{stream=\"erasures\"}",
            "lethe_ingress_receipts_total{status=\"COMPLETED\"}",
            "lethe_ingress_erasure_to_receipt_seconds_bucket{",
            "jvm_memory_used_bytes{",
            "process_cpu_seconds_total ",
            "kafka_consumer_fetch_manager_records_lag_max{",
            "kafka_stream_client_state");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean healthy =
        LocalClusterMain.status(stateDir, new PrintStream(out, true, StandardCharsets.UTF_8));
    String status = out.toString(StandardCharsets.UTF_8);
    System.out.print(status);
    assertThat(healthy).as(status).isTrue();
    assertThat(status)
        .contains("kafka", "broker reachable", "registry answers", "REST up: 1 TaskManager(s)")
        .contains(jobId + " RUNNING")
        .contains(apps.ingressUrl() + " /healthz 200, /readyz 200")
        .contains(apps.serviceUrl() + " /healthz 200, /readyz 200")
        .contains(
            "metrics " + taskManager,
            "metrics " + apps.serviceUrl() + "/metrics",
            "metrics " + apps.ingressUrl() + "/metrics")
        .contains(apps.consoleUrl());
  }

  /** The sum of the samples of {@code name} in a Prometheus text exposition; -1 if none. */
  private static double sum(String exposition, String name) {
    double total = -1;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        total = Math.max(total, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /**
   * The broker takes SASL over TLS only: a client without credentials, one that does not trust the
   * cluster's CA, and one with a wrong password are all refused, while the principals' files work.
   */
  @Test
  @Order(3)
  void shouldRefuseKafkaClientsWithoutCredentialsOrTrust() throws Exception {
    Map<String, Object> job =
        new java.util.HashMap<>(cluster.clientConfig(LetheAcls.Principal.JOB).kafkaProperties());
    assertThat(job).containsEntry("security.protocol", "SASL_SSL");
    assertThat(listTopics(job)).as("the job's own file").isNull();

    Map<String, Object> anonymous = new java.util.HashMap<>();
    assertThat(listTopics(anonymous)).as("no credentials").isNotNull();

    Map<String, Object> untrusting = new java.util.HashMap<>(job);
    untrusting.keySet().removeIf(k -> k.startsWith("ssl.truststore."));
    assertThat(listTopics(untrusting)).as("the JDK's default trust").isNotNull();

    Map<String, Object> wrongPassword = new java.util.HashMap<>(job);
    wrongPassword.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"lethe-job\" password=\"wrong\";");
    assertThat(listTopics(wrongPassword))
        .as("a wrong password")
        .isInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
  }

  /** Lists the topics with {@code config}; null if that works, else why it failed. */
  private static Throwable listTopics(Map<String, Object> config) {
    Map<String, Object> admin = new java.util.HashMap<>(config);
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    try (Admin client = Admin.create(admin)) {
      client.listTopics().names().get(30, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  /**
   * The cluster's REST API talks only to callers with its client certificate: an anonymous jar
   * upload and an anonymous cancel fail, the dashboard refuses anything but reads, and the job
   * keeps running.
   */
  @Test
  @Order(4)
  void shouldRefuseAnonymousUploadsAndCancelsAndServeTheDashboardReadOnly() throws Exception {
    HttpClient anonymous =
        HttpClient.newBuilder()
            .sslContext(ClusterTestSupport.trustingTheServerOnly(cluster))
            .build();
    HttpRequest cancel =
        HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpRequest upload =
        HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/jars/upload"))
            .header("Content-Type", "multipart/form-data; boundary=b")
            .POST(HttpRequest.BodyPublishers.ofString("--b--\r\n"))
            .build();
    for (HttpRequest request : List.of(cancel, upload)) {
      assertThatThrownBy(() -> anonymous.send(request, HttpResponse.BodyHandlers.ofString()))
          .as(request.method() + " " + request.uri() + " without a client certificate")
          .isInstanceOf(IOException.class);
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(cluster.dashboardUrl() + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(405);
    assertThat(refused.body()).startsWith("Lethe's Flink dashboard is read-only");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(cluster.dashboardUrl() + "/jobs/overview"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains(jobId);
    assertThat(cluster.rest().jobState(jobId)).contains("RUNNING");
  }

  /** Stop with a savepoint over REST, resume with {@code lethe job --cluster --savepoint}. */
  @Test
  @Order(5)
  void shouldResumeFromASavepoint() throws Exception {
    FlinkRestClient rest = cluster.rest();
    String savepoint = rest.cancelWithSavepoint(jobId, null, BOUND);
    assertThat(rest.jobState(jobId)).contains("CANCELED");
    String resumed = ClusterTestSupport.submitJob(cluster, catalog, "--savepoint", savepoint);
    Await.until(
        "job " + resumed + " RUNNING",
        BOUND,
        () -> rest.jobState(resumed).orElse("").equals("RUNNING"));
    JsonNode restored =
        new ObjectMapper()
            .readTree(
                ClusterTestSupport.get(
                    HttpClient.newHttpClient(),
                    cluster.dashboardUrl() + "/jobs/" + resumed + "/checkpoints"))
            .path("latest")
            .path("restored");
    assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);
    assertThat(restored.path("is_savepoint").asBoolean()).isTrue();
  }

  /** What the fault tests build on: kill -9 and restart a TaskManager, stop and restart Kafka. */
  @Test
  @Order(6)
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
    Map<String, Object> adminConfig =
        new java.util.HashMap<>(cluster.adminClientConfig().kafkaProperties());
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (Admin admin = Admin.create(adminConfig)) {
      // The broker kept its log directory: the topics the job created are still there.
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains(TopicNames.defaults().models());
    }
    System.out.printf(
        "ClusterJobIT: killed TaskManager noticed after %.1f s, replaced after %.1f s;"
            + " broker stopped and serving again after %.1f s%n",
        noticed.toMillis() / 1e3, replaced.toMillis() / 1e3, brokerRestart.toMillis() / 1e3);
  }

  /**
   * {@code lethe cluster down} in the state directory stops every part the deployment started, the
   * ingress and the model service included, and no process of them, nor any process they started,
   * is left.
   */
  @Test
  @Order(7)
  void shouldStopEveryPartAndLeaveNothingRunningWithDown() throws Exception {
    List<ProcessHandle> started = cluster.processTrees();
    assertThat(cluster.running()).containsKeys("ingress", "model-service", "jobmanager", "kafka");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean nothingLeft =
        LocalClusterMain.down(stateDir, false, new PrintStream(out, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    assertThat(nothingLeft).as(printed).isTrue();
    assertThat(printed).contains("ingress (pid", "model-service (pid", "nothing left");
    assertThat(started).allSatisfy(p -> assertThat(p.isAlive()).as("pid " + p.pid()).isFalse());
    try (var pids = Files.list(stateDir.resolve("pids"))) {
      assertThat(pids.toList()).isEmpty();
    }
  }

  private static void produce(LetheTopics topics, List<TrainingSample> samples) {
    Properties props = new Properties();
    props.putAll(cluster.adminClientConfig().kafkaProperties());
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
    try (KafkaConsumer<String, byte[]> consumer =
        ClusterTestSupport.outputConsumer(cluster, topics.models().name())) {
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
}
