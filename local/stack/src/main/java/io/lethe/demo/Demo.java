package io.lethe.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.OfflineRetrain;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelErasure;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.serving.console.ConsoleSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code lethe demo}: all of Lethe on one machine, in this JVM. A real KRaft broker and the
 * embedded schema registry, the ingress, the learner job on a Flink MiniCluster with its dashboard,
 * and the model service; Split Fashion-MNIST streamed task by task into an analytic and a
 * hypernetwork model through the ingress; erasure requests for three subjects and one whole task
 * part-way through; and a report: accuracy matrices measured through the model service's HTTP API,
 * the erasure receipts, the analytic model's distance to an offline retrain on the retained data,
 * and the throughput.
 */
final class Demo implements AutoCloseable {
  static final String ANALYTIC = "fmnist-analytic";
  static final String HYPERNET = "fmnist-hypernet";
  static final String DATASET = "fashion-mnist";
  static final long ANALYTIC_SEED = 42;
  static final double GAMMA = 0.1;

  /** Samples are spread over this many data subjects, round robin. */
  static final int SUBJECTS = 100;

  /** The subjects whose erasure the demo requests. */
  static final List<String> ERASED_SUBJECTS = List.of("subject-3", "subject-17", "subject-42");

  /** The subject two of whose samples the demo erases by id (a SAMPLE erasure). */
  static final String SAMPLES_SUBJECT = "subject-8";

  private static final Duration WAIT = Duration.ofMinutes(5);

  /** The snapshot interval of the demo's models. */
  private static final Duration SNAPSHOT_INTERVAL = Duration.ofSeconds(2);

  /**
   * A served version unchanged this long after a task's samples were learned means the learner has
   * stopped changing the model: a hypernetwork task has had its steps-per-task budget.
   */
  private static final Duration SETTLED = SNAPSHOT_INTERVAL.plusMillis(1_500);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DemoOptions options;
  private final PrintStream out;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, ErasureReceipt> receipts = new ConcurrentHashMap<>();
  private final AtomicLong fed = new AtomicLong();
  private final AtomicInteger currentTask = new AtomicInteger(-1);
  private final CompletableFuture<String> learnerStopped = new CompletableFuture<>();
  private volatile boolean running = true;
  private String serviceUrl;

  /** {@code Bearer} and the stack's token, for every call to the model service. */
  private String authorization;

  private String bootstrap;
  private EmbeddedStack stack;

  private Demo(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo to its report (and, with {@code --keep-running}, returns with everything still
   * running; close the demo to stop it).
   *
   * @throws DemoException with what to do when something the demo needs is missing
   * @throws LearnerStoppedException if the learner job stops learning before the report: it was
   *     cancelled or failed, or the model service reports a learner as not running
   */
  public static Demo run(DemoOptions options, PrintStream out) throws Exception {
    Demo demo = new Demo(options, out);
    try {
      demo.report = demo.execute();
      return demo;
    } catch (Exception | Error e) {
      demo.close();
      throw e;
    }
  }

  private DemoReport report;

  /** The report of the run. */
  public DemoReport report() {
    return report;
  }

  /**
   * Completes, with what happened, when the learner job stops learning while the demo runs (see
   * {@link LearnerWatch}); the demo then stops with a {@link LearnerStoppedException}.
   */
  public CompletableFuture<String> learnerStopped() {
    return learnerStopped;
  }

  /** The learner stopped learning while the demo ran; the message says how. */
  public static final class LearnerStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LearnerStoppedException(String message) {
      super(message);
    }
  }

  /** A missing prerequisite, with how to fix it. */
  public static final class DemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoException(String message) {
      super(message);
    }
  }

  private DemoReport execute() throws Exception {
    FashionMnist data;
    try {
      data =
          options.dataDirectory() == null
              ? FashionMnist.load()
              : FashionMnist.load(options.dataDirectory());
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new DemoException(e.getMessage());
    }
    EmbeddedStack stack =
        EmbeddedStack.start(
            catalog(),
            new EmbeddedStack.Ports(
                options.dashboardPort(),
                "--dashboard-port",
                options.servePort(),
                "--serve-port",
                options.ingressPort(),
                "--ingress-port",
                options.metricsPort(),
                "--metrics-port"),
            Duration.ofSeconds(1),
            out,
            options.insecure() ? KafkaSecurity.INSECURE : KafkaSecurity.SECURED,
            // the console scores each new version on the held-out test split
            ConsoleSettings.defaults().withEvaluation(data.test()));
    resources.push(stack);
    this.stack = stack;
    bootstrap = stack.bootstrapServers();
    serviceUrl = stack.serviceUrl();
    authorization = "Bearer " + stack.httpToken();
    LetheTopics topics = stack.topics();
    List<String> models = stack.models();
    startReceiptReader(bootstrap, topics);
    resources.push(
        LearnerWatch.start(
            stack.learnerJob(), serviceUrl, authorization, models, learnerStopped::complete));

    out.println();
    out.println("  Flink dashboard     http://localhost:" + stack.dashboardPort() + " (read-only)");
    out.println(
        "  Flink REST API      "
            + stack.flinkRest().restUrl()
            + " (client certificate: FLINK_CONF_DIR="
            + stack.flinkRest().clientConfigDir()
            + ")");
    out.println(
        "  Lethe console       "
            + stack.consoleUrl()
            + " (sign in with the token in "
            + stack.httpTokenFile()
            + ")");
    out.println(
        "    xdg-open \"" + stack.consoleUrl() + "#token=$(cat " + stack.httpTokenFile() + ")\"");
    out.println("  model service       " + serviceUrl + "/v1/models");
    out.println(
        "  erasure status      http://localhost:"
            + stack.ingressPort()
            + "/v1/erasures/{request-id}");
    out.println(
        "  metrics             "
            + stack.jobMetricsUrl()
            + " (job), "
            + serviceUrl
            + "/metrics, http://localhost:"
            + stack.ingressPort()
            + "/metrics (ingress)");
    out.println("  Kafka               " + bootstrap + " (topics lethe.*)");
    out.println("  schema registry     " + stack.registryUrl());
    printKafkaSecurity(stack);
    out.println(
        "  signing key         "
            + stack.signingKeyId()
            + " signs snapshots and receipts; check a receipt with ./lethe verify-receipt"
            + " --trusted-keys "
            + stack.signingPublicKey()
            + " --status-url http://localhost:"
            + stack.ingressPort()
            + " --http-token-file "
            + stack.httpTokenFile()
            + " --request-id ID");
    out.println("  HTTP bearer token   " + stack.httpTokenFile());
    out.println(
        "    curl -H \"Authorization: Bearer $(cat "
            + stack.httpTokenFile()
            + ")\" "
            + serviceUrl
            + "/v1/models");
    out.println();

    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    resources.push(progress::shutdownNow);
    progress.scheduleAtFixedRate(() -> printProgress(models), 3, 3, TimeUnit.SECONDS);

    return stream(data, topics, models);
  }

  private DemoReport stream(FashionMnist data, LetheTopics topics, List<String> models)
      throws Exception {
    int tasks = options.tasks();
    int eraseAfter = Math.max(1, tasks / 2);
    String erasedTask = "1";
    Map<String, List<List<Double>>> matrices = new LinkedHashMap<>();
    models.forEach(m -> matrices.put(m, new ArrayList<>()));
    List<TrainingSample> retained = new ArrayList<>();
    Set<String> erasedSubjects = new HashSet<>();
    Map<String, Instant> requested = new LinkedHashMap<>();
    long learningNanos = 0;
    long totalFed = 0;

    try (KafkaProducer<String, TrainingSample> samples =
            producer(Principal.PRODUCER, topics.samplesRaw().valueSerde().serializer());
        KafkaProducer<String, ErasureRequest> erasures =
            producer(Principal.PRIVACY, topics.erasuresRaw().valueSerde().serializer())) {
      for (int t = 0; t < tasks; t++) {
        failIfLearnerStopped();
        currentTask.set(t);
        List<TrainingSample> taskSamples = taskSamples(data.train(), t, erasedSubjects);
        long started = System.nanoTime();
        feed(samples, topics, taskSamples);
        totalFed += taskSamples.size();
        for (String model : models) {
          awaitLearned(model, String.valueOf(t), taskSamples.size());
        }
        learningNanos += System.nanoTime() - started;
        if (models.contains(HYPERNET)) {
          // not in the throughput: the stream is idle meanwhile, and idle time is what it uses
          long served = System.nanoTime();
          awaitSettled(HYPERNET);
          out.printf(
              "lethe demo: task %d: %s trained to its step budget %.1f s after serving all of it%n",
              t, HYPERNET, (System.nanoTime() - served - SETTLED.toNanos()) / 1e9);
        }
        retained.addAll(taskSamples);
        for (String model : models) {
          matrices.get(model).add(evaluate(model, data.test(), t));
        }
        out.printf("lethe demo: task %d learned by %s%n", t, models);
        if (t == eraseAfter) {
          for (String subject : ERASED_SUBJECTS) {
            // request ids are opaque: they show in receipts, status URLs and logs
            String id = "demo-erasure-" + (requested.size() + 1);
            requested.put(id, sendErasure(erasures, topics, id, ErasureScope.SUBJECT, subject));
            erasedSubjects.add(subject);
          }
          // two samples of a subject who stays, from a task that stays
          List<String> erasedSamples =
              retained.stream()
                  .filter(
                      s ->
                          s.getSubjectId().equals(SAMPLES_SUBJECT)
                              && !s.getTask().equals(erasedTask))
                  .limit(2)
                  .map(TrainingSample::getSampleId)
                  .toList();
          String samplesId = "demo-samples-1";
          requested.put(samplesId, sendSampleErasure(erasures, topics, samplesId, erasedSamples));
          String id = "demo-task-" + erasedTask;
          requested.put(id, sendErasure(erasures, topics, id, ErasureScope.TASK, erasedTask));
          out.printf(
              "lethe demo: erasure requested for %s, for %d sample(s) of %s and for task %s%n",
              ERASED_SUBJECTS, erasedSamples.size(), SAMPLES_SUBJECT, erasedTask);
          retained.removeIf(
              s ->
                  erasedSubjects.contains(s.getSubjectId())
                      || erasedSamples.contains(s.getSampleId())
                      || s.getTask().equals(erasedTask));
          // not in the throughput: the stream waits for the receipts, as a privacy system would;
          // the hypernetwork relearns each task that held erased samples meanwhile
          long erasing = System.nanoTime();
          awaitReceipts(requested.keySet());
          out.printf(
              "lethe demo: every erasure has its receipt %.1f s after the requests%n",
              (System.nanoTime() - erasing) / 1e9);
        }
      }
    }
    currentTask.set(tasks);
    awaitReceipts(requested.keySet());
    Double exactness = null;
    if (options.analytic()) {
      exactness = analyticExactness(topics, retained);
    }
    return DemoReport.of(
        options,
        models,
        matrices,
        erasedTask,
        requested,
        receipts,
        exactness,
        totalFed / (learningNanos / 1e9));
  }

  /** Stops the demo if its learner stopped: waiting for it would take until a timeout. */
  private void failIfLearnerStopped() {
    String why = learnerStopped.getNow(null);
    if (why != null) {
      throw new LearnerStoppedException(why);
    }
  }

  /** The training samples of task t (classes 2t, 2t+1), spread over the subjects. */
  private List<TrainingSample> taskSamples(LabeledSet train, int task, Set<String> erasedSubjects) {
    List<TrainingSample> out = new ArrayList<>();
    for (int i = 0; i < train.size() && out.size() < options.samplesPerTask(); i++) {
      int label = train.labels()[i];
      if (label / 2 != task) {
        continue;
      }
      String subject = "subject-" + (i % SUBJECTS);
      if (erasedSubjects.contains(subject)) {
        continue; // a privacy system would not send them again
      }
      List<Float> features = new ArrayList<>(FashionMnist.FEATURES);
      for (float v : train.features()[i]) {
        features.add(v);
      }
      out.add(
          TrainingSample.newBuilder()
              .setSampleId("s-" + i)
              .setSubjectId(subject)
              .setDataset(DATASET)
              .setTask(String.valueOf(task))
              .setFeatures(features)
              .setLabel(label)
              .setEventTime(Instant.now())
              .setAttributes(null)
              .build());
    }
    return out;
  }

  private void feed(
      KafkaProducer<String, TrainingSample> producer,
      LetheTopics topics,
      List<TrainingSample> taskSamples) {
    long start = System.nanoTime();
    for (int i = 0; i < taskSamples.size(); i++) {
      failIfLearnerStopped();
      TrainingSample sample = taskSamples.get(i);
      producer.send(
          new ProducerRecord<>(topics.samplesRaw().name(), sample.getSubjectId(), sample));
      fed.incrementAndGet();
      if (options.rate() > 0) {
        long due = start + (long) ((i + 1) * 1e9 / options.rate());
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
    producer.flush();
  }

  private Instant sendErasure(
      KafkaProducer<String, ErasureRequest> producer,
      LetheTopics topics,
      String id,
      ErasureScope scope,
      String target) {
    return send(
        producer,
        topics,
        id,
        scope,
        List.of(target),
        scope == ErasureScope.SUBJECT ? target : null,
        target);
  }

  /** A SAMPLE erasure of {@code sampleIds}, all of {@link #SAMPLES_SUBJECT}. */
  private Instant sendSampleErasure(
      KafkaProducer<String, ErasureRequest> producer,
      LetheTopics topics,
      String id,
      List<String> sampleIds) {
    return send(
        producer, topics, id, ErasureScope.SAMPLE, sampleIds, SAMPLES_SUBJECT, SAMPLES_SUBJECT);
  }

  private Instant send(
      KafkaProducer<String, ErasureRequest> producer,
      LetheTopics topics,
      String id,
      ErasureScope scope,
      List<String> ids,
      String subject,
      String key) {
    Instant at = Instant.now();
    ErasureRequest request =
        ErasureRequest.newBuilder()
            .setRequestId(id)
            .setScope(scope)
            .setIds(ids)
            .setSubjectId(subject)
            .setDataset(DATASET)
            .setModels(List.of())
            .setRequestedAt(at)
            .setRequester("lethe-demo")
            .build();
    producer.send(new ProducerRecord<>(topics.erasuresRaw().name(), key, request));
    producer.flush();
    return at;
  }

  /** Waits until the served version of {@code model} has learned {@code count} samples of task. */
  private void awaitLearned(String model, String task, long count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      failIfLearnerStopped();
      JsonNode described = get("/v1/models/" + model);
      if (described != null) {
        JsonNode samples = described.path("lineage").path("samples_per_task").path(task);
        if (samples.isNumber() && samples.asLong() >= count) {
          return;
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException(
        "model "
            + model
            + " did not serve a version with "
            + count
            + " samples of task "
            + task
            + " within "
            + WAIT);
  }

  /**
   * Waits until the served version of {@code model} has not changed for {@link #SETTLED}: the
   * hypernetwork keeps training a task in idle time until it has had its step budget, publishing a
   * version every snapshot interval meanwhile.
   */
  private void awaitSettled(String model) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long version = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      failIfLearnerStopped();
      JsonNode described = get("/v1/models/" + model);
      long now = System.nanoTime();
      if (described != null && described.path("version").asLong(-1) != version) {
        version = described.path("version").asLong(-1);
        since = now;
      } else if (now - since >= SETTLED.toNanos()) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException(
        "model " + model + " kept publishing new versions for " + WAIT + " after learning a task");
  }

  /** Accuracy of the served model on each task's test images (null where it cannot answer). */
  private List<Double> evaluate(String model, LabeledSet test, int learnedUpTo) throws Exception {
    List<Double> row = new ArrayList<>();
    for (int j = 0; j < options.tasks(); j++) {
      if (j > learnedUpTo) {
        row.add(null);
        continue;
      }
      List<float[]> rows = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < test.size(); i++) {
        if (test.labels()[i] / 2 == j) {
          rows.add(test.features()[i]);
          labels.add(test.labels()[i]);
        }
      }
      row.add(accuracy(model, String.valueOf(j), rows, labels));
    }
    return row;
  }

  private Double accuracy(String model, String task, List<float[]> rows, List<Integer> labels)
      throws Exception {
    boolean needsTask = model.equals(HYPERNET);
    int correct = 0;
    for (int from = 0; from < rows.size(); from += 250) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode instances = body.putArray("instances");
      int to = Math.min(rows.size(), from + 250);
      for (int i = from; i < to; i++) {
        ObjectNode instance = instances.addObject();
        ArrayNode features = instance.putArray("features");
        for (float v : rows.get(i)) {
          features.add(v);
        }
        if (needsTask) {
          instance.put("task", task);
        }
      }
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(serviceUrl + "/v1/models/" + model + ":predict"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", authorization)
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return null; // e.g. the task was erased from a task-incremental model
      }
      JsonNode predictions = JSON.readTree(response.body()).get("predictions");
      for (int i = from; i < to; i++) {
        if (predictions.get(i - from).get("label").asInt() == labels.get(i)) {
          correct++;
        }
      }
    }
    return (double) correct / rows.size();
  }

  private void awaitReceipts(Set<String> requestIds) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline && !receipts.keySet().containsAll(requestIds)) {
      failIfLearnerStopped();
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    if (!receipts.keySet().containsAll(requestIds)) {
      out.println("lethe demo: receipts still missing for some requests after " + WAIT);
    }
  }

  /**
   * The served analytic model against one trained offline, task by task, on the retained samples
   * only: max |difference| / max |weight| of the head.
   */
  private double analyticExactness(LetheTopics topics, List<TrainingSample> retained) {
    long expected = retained.size();
    long deadline = System.nanoTime() + WAIT.toNanos();
    ModelSnapshot latest = null;
    try (KafkaConsumer<String, byte[]> consumer = modelsReader()) {
      while (System.nanoTime() < deadline) {
        failIfLearnerStopped();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (ANALYTIC.equals(record.key()) && record.value() != null) {
            latest =
                topics
                    .models()
                    .valueSerde()
                    .deserializer()
                    .deserialize(record.topic(), record.value());
          }
        }
        if (latest != null && learned(latest) == expected) {
          break;
        }
      }
    }
    if (latest == null || learned(latest) != expected) {
      throw new IllegalStateException(
          "no analytic snapshot with the " + expected + " retained samples within " + WAIT);
    }
    AnalyticSettings settings = CatalogLearners.analyticSettings(catalog(), ANALYTIC);
    return OfflineRetrain.relativeDistance(latest, settings, retained);
  }

  private static long learned(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream().mapToLong(t -> t.getSamples()).sum();
  }

  /** The demo's catalog: Fashion-MNIST and the models the options ask for. */
  private ModelCatalog catalog() {
    SnapshotPolicy snapshot =
        new SnapshotPolicy(1_000_000, SNAPSHOT_INTERVAL, Duration.ofSeconds(1));
    List<ModelSpec> models = new ArrayList<>();
    if (options.analytic()) {
      models.add(
          ModelSpec.of(ANALYTIC, LearnerKind.ANALYTIC, DATASET)
              .withSnapshot(snapshot)
              .with(AnalyticSettings.BUFFER_SIZE, options.bufferSize())
              .with(AnalyticSettings.GAMMA, GAMMA)
              .with(AnalyticSettings.SEED, ANALYTIC_SEED));
    }
    if (options.hypernet()) {
      models.add(
          ModelSpec.of(HYPERNET, LearnerKind.HYPERNETWORK, DATASET)
              .withSnapshot(snapshot)
              .with(HypernetSettings.STEPS_PER_TASK, options.stepsPerTask()));
    }
    return ModelCatalog.of(
        List.of(new DatasetSpec(DATASET, FashionMnist.FEATURES, FashionMnist.CLASSES)), models);
  }

  private void printProgress(List<String> models) {
    try {
      StringBuilder line = new StringBuilder("lethe demo: ");
      int task = currentTask.get();
      line.append(
          task >= options.tasks()
              ? "all tasks fed"
              : "task " + Math.max(0, task) + "/" + options.tasks());
      line.append(" | fed ").append(fed.get()).append(" samples");
      for (String model : models) {
        JsonNode described = get("/v1/models/" + model);
        line.append(" | ").append(model).append(' ');
        line.append(described == null ? "not served yet" : "v" + described.get("version").asLong());
      }
      line.append(" | receipts ").append(receipts.size());
      out.println(line);
    } catch (RuntimeException e) {
      // progress is best effort
    }
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(serviceUrl + path))
                  .header("Authorization", authorization)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Where each principal's Kafka client properties are, or a warning that Kafka is open. */
  private void printKafkaSecurity(EmbeddedStack stack) {
    stack
        .kafkaPrincipals()
        .ifPresentOrElse(
            principals -> {
              out.println(
                  "  Kafka clients       SASL/SCRAM with ACLs; client properties per principal in "
                      + principals.file(Principal.PRODUCER).getParent()
                      + "/");
              out.println(
                  "                      e.g. kafka-console-producer.sh --bootstrap-server "
                      + bootstrap
                      + " --topic lethe.samples.raw --producer.config "
                      + principals.file(Principal.PRODUCER));
            },
            () ->
                out.println(
                    "  Kafka clients       WARNING: --insecure: no authentication, no ACLs;"
                        + " anyone who reaches the port may read and write every topic"));
  }

  private void startReceiptReader(String bootstrap, LetheTopics topics) {
    // as a privacy system reads them: its principal may use consumer groups named lethe-privacy*
    Properties props = consumerProps(Principal.PRIVACY);
    props.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        LetheAcls.PRIVACY_GROUP_PREFIX + "-demo-" + System.nanoTime());
    KafkaConsumer<String, ErasureReceipt> consumer =
        new KafkaConsumer<>(
            props,
            topics.receipts().keySerde().deserializer(),
            topics.receipts().valueSerde().deserializer());
    consumer.subscribe(List.of(topics.receipts().name()));
    Thread reader =
        new Thread(
            () -> {
              try (consumer) {
                while (running) {
                  for (ConsumerRecord<String, ErasureReceipt> r :
                      consumer.poll(Duration.ofMillis(200))) {
                    receipts.put(r.value().getRequestId(), r.value());
                    out.printf(
                        "lethe demo: receipt for %s: %s after %d ms%n",
                        r.value().getRequestId(), r.value().getStatus(), r.value().getLatencyMs());
                  }
                }
              }
            },
            "lethe-demo-receipts");
    reader.setDaemon(true);
    reader.start();
    resources.push(() -> running = false);
  }

  /** Reads every snapshot from the start, as the model service does: no consumer group. */
  private KafkaConsumer<String, byte[]> modelsReader() {
    Properties props = consumerProps(Principal.MODEL_SERVICE);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicNames.MAX_SNAPSHOT_BYTES);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            props,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    String topic = TopicNames.defaults().models();
    consumer.assign(
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList());
    consumer.seekToBeginning(consumer.assignment());
    return consumer;
  }

  /** A consumer's properties as {@code principal}, the stack's Kafka client file under them. */
  private Properties consumerProps(Principal principal) {
    return stack
        .clientConfig(principal)
        .layerAsProperties(
            bootstrap,
            "lethe-demo",
            Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"));
  }

  private <V> KafkaProducer<String, V> producer(
      Principal principal, org.apache.kafka.common.serialization.Serializer<V> values) {
    Properties props =
        stack
            .clientConfig(principal)
            .layerAsProperties(
                bootstrap,
                "lethe-demo",
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"));
    return new KafkaProducer<>(
        props, new org.apache.kafka.common.serialization.StringSerializer(), values);
  }

  /** Stops everything the demo started, newest first. */
  @Override
  public void close() {
    running = false;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        out.println("lethe demo: while stopping: " + e);
      }
    }
  }

  /** The learner kind of a demo model. */
  static String learnerOf(String model) {
    return model.equals(ANALYTIC) ? LearnerKind.ANALYTIC.name() : LearnerKind.HYPERNETWORK.name();
  }

  static String guarantee(ErasureReceipt receipt, String model) {
    for (ModelErasure m : receipt.getModels()) {
      if (m.getModel().equals(model)) {
        return m.getGuarantee().name();
      }
    }
    return null;
  }
}
