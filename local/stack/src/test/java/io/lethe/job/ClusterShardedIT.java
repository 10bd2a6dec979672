package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cluster.LocalCluster;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel learning on the local multi-process cluster (two TaskManager JVMs of one slot each,
 * the job at parallelism 2): a model in two shards, one on each TaskManager, and its unsharded twin
 * learn Fashion-MNIST with SUBJECT, SAMPLE and TASK erasures between the samples; both shards
 * learn, both models confirm every erasure alike, and their final heads are equal within 1e-9.
 */
class ClusterShardedIT {
  private static final String SINGLE = "fmnist-analytic";
  private static final String SHARDED = "fmnist-sharded";
  private static final int SAMPLES = 600;
  private static final Duration BOUND = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static LetheTopics topics;
  private static String jobId;
  private static final List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
  private static final List<ErasureApplied> receipts = new CopyOnWriteArrayList<>();
  private static volatile boolean reading = true;
  private static Thread reader;

  @BeforeAll
  static void startCluster() throws Exception {
    Path catalog =
        Files.writeString(
            dir.resolve("catalog.yaml"),
            TestSamples.analyticCatalog(SINGLE, 256, 0.1)
                + """
                  - name: %s
                    learner: analytic
                    dataset: fashion-mnist
                    shards: 2
                    snapshot: {every-samples: 1000000, interval: 1s, after-erasure: 300ms}
                    settings: {buffer-size: 256, gamma: 0.1, seed: 7}
                """
                    .formatted(SHARDED));
    // one slot per TaskManager: the job at parallelism 2 has a subtask of every operator, so one
    // shard, on each TaskManager
    cluster =
        LocalCluster.start(
            ClusterTestSupport.settings(dir.resolve("cluster"), 2).withTaskManagers(2, 1, "1536m"),
            System.out);
    jobId = ClusterTestSupport.submitJob(cluster, catalog, "--parallelism", "2");
    Await.until(
        "job RUNNING", BOUND, () -> cluster.rest().jobState(jobId).orElse("").equals("RUNNING"));
    topics =
        LetheTopics.create(
            TopicNames.defaults(),
            SchemaRegistryClient.create(
                cluster.registryUrl(), cluster.adminClientConfig().registryProperties()));
    reader = new Thread(ClusterShardedIT::readOutputs, "it-outputs");
    reader.setDaemon(true);
    reader.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    reading = false;
    if (reader != null) {
      reader.join(Duration.ofSeconds(10).toMillis());
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldLearnAShardedModelOnTwoSubtasksAsItsUnshardedTwin() throws Exception {
    List<TrainingSample> samples = TestSamples.samples(SAMPLES, 20);
    Properties props = new Properties();
    props.putAll(cluster.adminClientConfig().kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    Instant after = TestSamples.T0.plus(Duration.ofHours(1));
    try (KafkaProducer<String, TrainingSample> sampleProducer =
            new KafkaProducer<>(
                props,
                topics.samples().keySerde().serializer(),
                topics.samples().valueSerde().serializer());
        KafkaProducer<String, ErasureRequest> erasureProducer =
            new KafkaProducer<>(
                props,
                topics.erasures().keySerde().serializer(),
                topics.erasures().valueSerde().serializer())) {
      int half = SAMPLES / 2;
      send(sampleProducer, samples.subList(0, half));
      awaitBoth("the first half learned", s -> JobTestBench.learned(s) == half);
      List<String> ofU7 =
          samples.subList(0, half).stream()
              .filter(s -> s.getSubjectId().equals("u-7"))
              .map(TrainingSample::getSampleId)
              .limit(3)
              .toList();
      send(erasureProducer, JobTestBench.subjectErasure("erase-u-3", "u-3", after));
      send(erasureProducer, JobTestBench.sampleErasure("erase-u-7", "u-7", ofU7, after));
      confirmedAlike("erase-u-3");
      confirmedAlike("erase-u-7");
      send(sampleProducer, samples.subList(half, SAMPLES));
      // the rest of u-3's samples are late for its erasure (older than the request): refused
      long retained =
          samples.stream()
              .filter(s -> !s.getSubjectId().equals("u-3"))
              .filter(s -> !ofU7.contains(s.getSampleId()))
              .count();
      awaitBoth("every sample learned", s -> JobTestBench.learned(s) == retained);
      ErasureRequest task = JobTestBench.subjectErasure("erase-task-1", "1", after);
      task.setScope(ErasureScope.TASK);
      task.setSubjectId(null);
      send(erasureProducer, task);
      confirmedAlike("erase-task-1");
    }
    ModelSnapshot single = firstWithout("erase-task-1", SINGLE);
    ModelSnapshot sharded = firstWithout("erase-task-1", SHARDED);
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(sharded), JobTestBench.headWeights(single));
    List<String> managers = ClusterTestSupport.taskManagersOf(cluster, jobId, "ShardLearner");
    System.out.printf(
        "ClusterShardedIT: two shards on TaskManager(s) %s vs one subtask: max relative"
            + " difference %.3e%n",
        managers, difference);
    assertThat(difference).isLessThan(1e-9);
    assertThat(managers).as("TaskManagers running the shards").hasSize(2);
    for (int subtask = 0; subtask < 2; subtask++) {
      String metric = subtask + ".ShardLearner.samplesLearned";
      Await.until(
          "samples learned by shard subtask " + subtask,
          BOUND,
          () -> cluster.rest().metric(jobId, "ShardLearner", metric).orElse(-1) > 0);
    }
  }

  private static <V> void send(KafkaProducer<String, V> producer, List<V> values) {
    for (V value : values) {
      producer.send(new ProducerRecord<>(topicOf(value), keyOf(value), value));
    }
    producer.flush();
  }

  private static <V> void send(KafkaProducer<String, V> producer, V value) {
    send(producer, List.of(value));
  }

  private static String topicOf(Object value) {
    return value instanceof TrainingSample ? topics.samples().name() : topics.erasures().name();
  }

  private static String keyOf(Object value) {
    return value instanceof TrainingSample s
        ? s.getSubjectId()
        : ((ErasureRequest) value).getSubjectId();
  }

  private static void awaitBoth(String what, Predicate<ModelSnapshot> wanted) {
    for (String model : List.of(SINGLE, SHARDED)) {
      Await.until(
          model + ": " + what,
          BOUND,
          () -> snapshots.stream().anyMatch(s -> s.getModel().equals(model) && wanted.test(s)));
    }
  }

  /** Waits for both models' receipts of {@code request} and checks they say the same. */
  private static void confirmedAlike(String request) {
    ErasureApplied single = receipt(request, SINGLE);
    ErasureApplied sharded = receipt(request, SHARDED);
    assertThat(sharded.getGuarantee()).isEqualTo(single.getGuarantee());
    assertThat(sharded.getSamplesErased()).isEqualTo(single.getSamplesErased());
    assertThat(sharded.getReason()).isEqualTo(single.getReason());
    assertThat(sharded.getFirstVersionWithout()).isNotNull();
  }

  private static ErasureApplied receipt(String request, String model) {
    Predicate<ErasureApplied> wanted =
        r -> r.getRequestId().equals(request) && r.getModel().equals(model);
    Await.until(model + " confirming " + request, BOUND, () -> receipts.stream().anyMatch(wanted));
    return receipts.stream().filter(wanted).findFirst().orElseThrow();
  }

  private static ModelSnapshot firstWithout(String request, String model) {
    long version = receipt(request, model).getFirstVersionWithout();
    Predicate<ModelSnapshot> wanted = s -> s.getModel().equals(model) && s.getVersion() == version;
    Await.until(model + " v" + version, BOUND, () -> snapshots.stream().anyMatch(wanted));
    return snapshots.stream().filter(wanted).findFirst().orElseThrow();
  }

  private static void readOutputs() {
    TopicNames names = TopicNames.defaults();
    try (KafkaConsumer<String, byte[]> consumer =
        ClusterTestSupport.outputConsumer(cluster, names.models(), names.erasuresApplied())) {
      while (reading) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(names.models())) {
            snapshots.add(
                topics.models().valueSerde().deserializer().deserialize(r.topic(), r.value()));
          } else {
            receipts.add(
                topics
                    .erasuresApplied()
                    .valueSerde()
                    .deserializer()
                    .deserialize(r.topic(), r.value()));
          }
        }
      }
    }
  }
}
