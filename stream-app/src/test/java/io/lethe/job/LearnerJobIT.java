package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.catalog.ModelCatalog;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheTopics;
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
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner job end to end on the Flink MiniCluster and a real broker: Fashion-MNIST samples in
 * through Kafka, erasures by subject and by sample ids, snapshots out on {@code lethe.models} that
 * equal the model trained offline on the retained samples only.
 */
class LearnerJobIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  private static final String MODEL = "fmnist-analytic";
  private static final int BUFFER_SIZE = 512;
  private static final int PER_TASK = 600;
  private static final int SUBJECTS = 40;
  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

  @TempDir static Path dir;

  private static final List<TrainingSample> samples = new ArrayList<>();
  private static LetheTopics topics;
  private static JobClient job;
  private static int restPort;
  private static final List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
  private static final List<ErasureApplied> applied = new CopyOnWriteArrayList<>();
  private static final List<ErasureAffected> affected = new CopyOnWriteArrayList<>();
  private static final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private static Thread reader;
  private static volatile boolean reading = true;

  @BeforeAll
  static void startJob() throws Exception {
    FashionMnist data = FashionMnist.load();
    LabeledSet train = data.train();
    // Tasks 0 ({0,1}) and 1 ({2,3}); subjects spread over both tasks.
    int[] perClass = new int[4];
    for (int i = 0; i < train.size() && samples.size() < 2 * PER_TASK; i++) {
      int label = train.labels()[i];
      if (label < 4 && perClass[label] < PER_TASK / 2) {
        perClass[label]++;
        List<Float> features = new ArrayList<>(784);
        for (float v : train.features()[i]) {
          features.add(v);
        }
        samples.add(
            TrainingSample.newBuilder()
                .setSampleId("s-" + i)
                .setSubjectId("u-" + samples.size() % SUBJECTS)
                .setDataset("fashion-mnist")
                .setTask(String.valueOf(label / 2))
                .setFeatures(features)
                .setLabel(label)
                .setEventTime(T0.plusMillis(i))
                .setAttributes(null)
                .build());
      }
    }

    Path catalogFile =
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
                settings: {buffer-size: %d, gamma: 0.1, seed: 7}
            """
                .formatted(MODEL, BUFFER_SIZE));
    ModelCatalog catalog = ModelCatalog.load(catalogFile);
    topics = LetheTopics.create(TopicNames.defaults(), kafka.registryClient());
    restPort = freePort();
    JobSettings settings =
        JobSettings.defaults(catalogFile, kafka.bootstrapServers(), kafka.registryUrl())
            .withCheckpointInterval(Duration.ofMillis(500))
            .withMicroBatchSize(128)
            .withRestPort(restPort);
    StreamExecutionEnvironment env = LearnerJobMain.localEnvironment(settings);
    job = LearnerJobMain.start(env, settings, catalog, new CatalogLearners());
    reader = new Thread(LearnerJobIT::readOutputs, "it-output-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @AfterAll
  static void stopJob() throws Exception {
    reading = false;
    if (job != null) {
      job.cancel().get();
    }
    if (reader != null) {
      reader.join(10_000);
    }
  }

  @Test
  void shouldForgetSubjectsAndSamplesExactlyEndToEnd() throws Exception {
    produceSamples(samples);
    Await.until(
        "a snapshot with all " + samples.size() + " samples",
        BOUND,
        () -> snapshots.stream().anyMatch(s -> learned(s) == samples.size()));

    // One subject by SUBJECT, one by SAMPLE ids (half of its samples), one more by SUBJECT.
    List<TrainingSample> ofU2 =
        samples.stream().filter(s -> s.getSubjectId().equals("u-2")).toList();
    List<String> u2Erased =
        ofU2.subList(0, ofU2.size() / 2).stream().map(TrainingSample::getSampleId).toList();
    Instant requestedAt = T0.plusSeconds(3600);
    produceErasure(subjectErasure("r-subject", "u-1", requestedAt));
    produceErasure(sampleErasure("r-samples", "u-2", u2Erased, requestedAt));
    produceErasure(subjectErasure("r-spread", "u-3", requestedAt));

    Set<String> requests = Set.of("r-subject", "r-samples", "r-spread");
    Await.until(
        "an ErasureApplied per request",
        BOUND,
        () -> applied.stream().map(ErasureApplied::getRequestId).toList().containsAll(requests));
    for (ErasureApplied confirmation : applied) {
      assertThat(confirmation.getModel()).isEqualTo(MODEL);
      assertThat(confirmation.getGuarantee()).isEqualTo(ErasureGuarantee.EXACT);
      ModelSnapshot first =
          awaitSnapshot(s -> s.getVersion() == confirmation.getFirstVersionWithout());
      assertThat(first.getLineage().getErasuresReflected()).contains(confirmation.getRequestId());
    }
    assertThat(affected)
        .extracting(ErasureAffected::getRequestId)
        .containsExactlyInAnyOrderElementsOf(requests);
    assertThat(affected).allSatisfy(a -> assertThat(a.getModels()).containsExactly(MODEL));

    Set<String> erasedIds = new HashSet<>(u2Erased);
    samples.stream()
        .filter(s -> s.getSubjectId().equals("u-1") || s.getSubjectId().equals("u-3"))
        .forEach(s -> erasedIds.add(s.getSampleId()));
    List<TrainingSample> retained =
        samples.stream().filter(s -> !erasedIds.contains(s.getSampleId())).toList();
    ModelSnapshot latest =
        awaitSnapshot(
            s ->
                learned(s) == retained.size() && s.getLineage().getErasuresReflected().isEmpty()
                    || learned(s) == retained.size());
    double difference = maxRelativeDifference(headWeights(latest), offlineWeights(retained));
    System.out.printf(
        "LearnerJobIT: version %d learned %d of %d samples; max relative difference to the offline"
            + " retrain %.3e%n",
        latest.getVersion(), learned(latest), samples.size(), difference);
    assertThat(difference).isLessThan(1e-9);

    // A late sample of an erased subject, from before the erasure, is dead-lettered, not learned.
    TrainingSample late = samples.get(1);
    late.setSampleId("s-late");
    late.setSubjectId("u-1");
    late.setEventTime(requestedAt.minusSeconds(1));
    produceSamples(List.of(late));
    Await.until(
        "the late sample in the dead-letter topic",
        BOUND,
        () ->
            deadLetters.stream()
                .anyMatch(d -> d.getReason().startsWith("sample s-late of subject u-1")));
    assertThat(
            deadLetters.stream()
                .filter(d -> d.getReason().startsWith("sample s-late"))
                .findFirst()
                .orElseThrow()
                .getReason())
        .contains("at or before the subject's erasure at " + requestedAt);

    // Versions on lethe.models only ever go up.
    List<Long> versions = snapshots.stream().map(ModelSnapshot::getVersion).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();

    // The custom metrics are on the Flink REST API of the running job.
    Await.until(
        "samplesLearned on the REST API",
        BOUND,
        () -> learnerMetric("samplesLearned") >= samples.size());
  }

  private static long learned(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream()
        .mapToLong(TaskSamples::getSamples)
        .sum();
  }

  private static ModelSnapshot awaitSnapshot(Predicate<ModelSnapshot> wanted) {
    Await.until("a matching snapshot", BOUND, () -> snapshots.stream().anyMatch(wanted));
    return snapshots.stream().filter(wanted).reduce((a, b) -> b).orElseThrow();
  }

  private static double[] headWeights(ModelSnapshot snapshot) {
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

  private static double[] offlineWeights(List<TrainingSample> retained) {
    AnalyticSettings settings =
        new AnalyticSettings(
            7,
            784,
            BUFFER_SIZE,
            0.1,
            10,
            AnalyticSettings.DEFAULT_WOODBURY_MAX_ROWS,
            AnalyticSettings.DEFAULT_REFRESH_AFTER_DOWNDATES);
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      for (String task : List.of("0", "1")) {
        List<TrainingSample> ofTask =
            retained.stream().filter(s -> s.getTask().equals(task)).toList();
        float[][] x = new float[ofTask.size()][];
        int[] y = new int[ofTask.size()];
        for (int i = 0; i < x.length; i++) {
          List<Float> f = ofTask.get(i).getFeatures();
          x[i] = new float[f.size()];
          for (int j = 0; j < x[i].length; j++) {
            x[i][j] = f.get(j);
          }
          y[i] = ofTask.get(i).getLabel();
        }
        learner.learn(task, ofTask.stream().map(TrainingSample::getSampleId).toList(), x, y);
      }
      return learner.weights().values();
    }
  }

  private static double maxRelativeDifference(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    }
    return maxDiff / maxAbs;
  }

  private static ErasureRequest subjectErasure(String id, String subject, Instant at) {
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

  private static ErasureRequest sampleErasure(
      String id, String subject, List<String> sampleIds, Instant at) {
    ErasureRequest request = subjectErasure(id, subject, at);
    request.setScope(ErasureScope.SAMPLE);
    request.setIds(sampleIds);
    return request;
  }

  private static void produceSamples(List<TrainingSample> batch) {
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            kafka.producerProperties(),
            topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer())) {
      for (TrainingSample sample : batch) {
        producer.send(new ProducerRecord<>(topics.samples().name(), sample.getSubjectId(), sample));
      }
    }
  }

  private static void produceErasure(ErasureRequest request) {
    kafka.produce(topics.erasures(), request.getSubjectId(), request);
  }

  private static void readOutputs() {
    Properties props = kafka.consumerProperties();
    props.put("max.partition.fetch.bytes", String.valueOf(64 * 1024 * 1024));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            props,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      TopicNames names = TopicNames.defaults();
      consumer.subscribe(
          List.of(
              names.models(),
              names.erasuresApplied(),
              names.erasuresAffected(),
              names.deadLetter()));
      while (reading) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(names.models())) {
            snapshots.add(
                topics.models().valueSerde().deserializer().deserialize(r.topic(), r.value()));
          } else if (r.topic().equals(names.erasuresApplied())) {
            applied.add(
                topics
                    .erasuresApplied()
                    .valueSerde()
                    .deserializer()
                    .deserialize(r.topic(), r.value()));
          } else if (r.topic().equals(names.erasuresAffected())) {
            affected.add(
                topics
                    .erasuresAffected()
                    .valueSerde()
                    .deserializer()
                    .deserialize(r.topic(), r.value()));
          } else {
            deadLetters.add(
                topics.deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value()));
          }
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long learnerMetric(String name) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    String base = "http://localhost:" + restPort;
    JsonNode vertices =
        json.readTree(get(http, base + "/jobs/" + job.getJobID() + "")).get("vertices");
    for (JsonNode vertex : vertices) {
      if (vertex.get("name").asText().contains("Learner")) {
        String id = vertex.get("id").asText();
        JsonNode metrics =
            json.readTree(
                get(
                    http,
                    base
                        + "/jobs/"
                        + job.getJobID()
                        + "/vertices/"
                        + id
                        + "/metrics?get=0.Learner."
                        + name));
        for (JsonNode metric : metrics) {
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
