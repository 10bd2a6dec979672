package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cluster.ClusterSettings;
import io.lethe.cluster.LocalCluster;
import io.lethe.cluster.LocalClusterMain;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.schemas.topics.TopicNames;
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
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the tests on the local multi-process cluster share: start-up, submission, data, REST. */
final class ClusterTestSupport {
  private static final java.util.Random RANDOM = new java.util.Random();
  // ports given out in this JVM: a cluster's five ports must differ from each other
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ClusterTestSupport() {}

  /** A cluster of a JobManager, {@code taskManagers} TaskManagers, a broker and a registry. */
  static LocalCluster startCluster(Path stateDir, int taskManagers) throws IOException {
    return LocalCluster.start(settings(stateDir, taskManagers), System.out);
  }

  /**
   * The whole deployment as {@code lethe cluster up --catalog catalog} starts it: the cluster, the
   * learner job, the ingress and the model service.
   */
  static LocalCluster upDeployment(Path stateDir, int taskManagers, Path catalog)
      throws IOException {
    return LocalClusterMain.up(
        settings(stateDir, taskManagers), KafkaSecurity.SECURED, catalog, System.out);
  }

  /** The default settings with free ports and {@code taskManagers} TaskManagers. */
  static ClusterSettings settings(Path stateDir, int taskManagers) throws IOException {
    // Built by the deploy/cluster-runtime module, which this module's build depends on.
    Path flinkClasspath =
        Path.of("..", "..", "deploy", "cluster-runtime", "target", "flink-classpath.txt");
    // Surefire may run tests from a manifest-only jar; the real class path is in this property.
    String services =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ClusterSettings settings =
        ClusterSettings.defaults(Files.readString(flinkClasspath).strip(), services)
            .withStateDir(stateDir)
            .withPorts(freePort(), freePort(), freePort(), freePort(), freePort())
            .withDashboardPort(freePort())
            .withServicePorts(freePort(), freePort(), freePortBlock(taskManagers + 4))
            .withTaskManagers(taskManagers, 2, "1536m");
    return settings;
  }

  /**
   * Submits the job with {@code catalog} to {@code cluster} as {@code lethe job --cluster} does,
   * with checkpoints every second and micro-batches of 64, plus {@code extra} options; returns the
   * job id.
   */
  static String submitJob(LocalCluster cluster, Path catalog, String... extra) {
    List<String> args = new ArrayList<>(cluster.jobSubmissionOptions());
    args.addAll(
        List.of(
            "--catalog", catalog.toString(),
            "--checkpoint-interval", "1s",
            "--micro-batch", "64"));
    args.addAll(List.of(extra));
    return submit(cluster, args.toArray(String[]::new));
  }

  /** Submits as {@code lethe job --cluster} does and returns the job id it prints. */
  static String submit(LocalCluster cluster, String... args) {
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
    assertThat(printed).contains("submitted job " + id.group(1) + " to " + cluster.restUrl());
    return id.group(1);
  }

  /**
   * A consumer of the job's output {@code topics} from their start, as a serving reader reads them:
   * read_committed, fetches as large as a snapshot may be, and no consumer group. Its positions
   * live in memory, so a broker restart cannot send it back to an older committed offset (a grouped
   * consumer re-reads what it had read since its last offset commit, which looks like a repeated
   * version).
   */
  static KafkaConsumer<String, byte[]> outputConsumer(LocalCluster cluster, String... topics) {
    java.util.Properties props = new java.util.Properties();
    // the test observes every topic: the super user
    props.putAll(cluster.adminClientConfig().kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES));
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** The resource ids of the TaskManagers running the job's vertex named {@code vertexName}. */
  static List<String> taskManagersOf(LocalCluster cluster, String jobId, String vertexName)
      throws Exception {
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

  static String get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A TLS context that trusts the cluster's CA and presents no client certificate. */
  static SSLContext trustingTheServerOnly(LocalCluster cluster) throws Exception {
    FlinkRestTls client =
        FlinkRestTls.fromConfiguration(
                GlobalConfiguration.loadConfiguration(cluster.flinkClientConfigDir().toString()))
            .orElseThrow();
    KeyStore truststore = KeyStore.getInstance(FlinkRestTls.STORE_TYPE);
    try (var in = Files.newInputStream(client.truststore())) {
      truststore.load(in, client.truststorePassword().toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(truststore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /**
   * A port nobody listens on, below Linux's ephemeral range (32768 and up by default). A port from
   * {@code new ServerSocket(0)} is ephemeral: between choosing it and the cluster's process binding
   * it, an outgoing connection of another process may take it (seen: the registry failed with
   * "Address already in use"). Outgoing connections never take ports below the range.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + RANDOM.nextInt(12_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IOException("no free port found between 20000 and 32000");
  }

  /**
   * The first of {@code count} consecutive free ports (Flink's reporters: the JobManager's, then
   * one per TaskManager index).
   */
  static int freePortBlock(int count) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = freePort();
      boolean free = true;
      for (int port = first + 1; port < first + count && free; port++) {
        free = HANDED_OUT.add(port) && isFree(port);
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no " + count + " free ports in a row found between 20000 and 32000");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return socket.isBound();
    } catch (IOException inUse) {
      return false;
    }
  }
}
