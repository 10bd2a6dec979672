package io.lethe.loadtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.cli.BearerTokens;
import io.lethe.cli.Cli;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.Progress;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.demo.EmbeddedStack;
import io.lethe.demo.LearnerWatch;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelErasure;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code lethe bench}: the embedded stack of {@code lethe demo} (one analytic model), or an
 * external one ({@code --bootstrap HOST:PORT --registry URL --service URL [--model NAME]}), under a
 * steady stream of training samples at a target rate through the ingress, erasure requests at a
 * fixed interval, and prediction requests at a fixed rate, all at once. It reports:
 *
 * <ul>
 *   <li>the start-up transient: from the first sample sent to the first committed snapshot holding
 *       it, and to the model service serving that version;
 *   <li>for the warm-up ({@code --warmup}) and then, apart, for the steady state ({@code
 *       --duration}): samples sent and learned per second (learned: from the committed snapshots
 *       seen in the window); freshness: from a sample's event time (its send time) to the first
 *       committed snapshot on {@code lethe.models} that includes it, p50/p99; erasure latency:
 *       request to receipt, and request to the model service serving the first version without the
 *       data; prediction latency under that load;
 *   <li>with {@code --find-max}, the same for each rate probed by a {@link RateSearch}, and the
 *       highest rate sustained (learned/s within 2% of the rate offered and freshness p99 within
 *       {@code --freshness-bound});
 * </ul>
 *
 * and writes JSON, a markdown section and PNG charts of the latencies over time.
 *
 * <p>"Includes it" is judged by counts: the k-th sample sent is taken as included once a snapshot
 * holds k samples, counting those of subjects erased since. Samples go to two partitions, so a
 * sample can be learned a little before or after one sent just before it; over many samples the
 * percentiles are what matter. The subjects the benchmark erases get their few samples first, as
 * the start-up: the load starts once a served version holds them (the job, the ingress and the
 * service are up), and every erasure then meets learned data.
 *
 * <p>If the learner stops learning during the run (its job is cancelled or fails, or the model
 * service reports it as not running), the benchmark stops at once with the reason and exit status
 * {@value LearnerWatch#EXIT_STATUS}: its figures would otherwise measure a timeout.
 */
@Command(
    name = "lethe bench",
    description = {
      "The embedded stack of lethe demo (one analytic model), or an external one (--bootstrap,"
          + " --registry, --service), under training samples at a target rate, erasures at a fixed"
          + " interval and predictions at a fixed rate, all at once; writes bench.json, bench.md"
          + " and charts to --out.",
      "Durations are written 500ms, 30s, 10m or 1h; a bare number is seconds. Progress goes to"
          + " standard error."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the report is written",
      "1:the benchmark failed",
      "2:a bad command line",
      "3:the learner stopped learning during the run"
    })
public final class EndToEndBenchmark implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String EMBEDDED_MODEL = "bench-analytic";
  private static final String DATASET = "fashion-mnist";
  private static final int ERASABLE_SUBJECTS = 32;
  private static final int SAMPLES_PER_ERASABLE = 5;
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  /**
   * How often the served version is asked for: the resolution of erasure-to-serving times. Asked
   * much more often, these requests were about half of the model service's HTTP work under the
   * benchmark (docs/benchmarks.md#end-to-end), on the cores that the stack being measured shares.
   */
  private static final Duration SERVED_POLL = Duration.ofMillis(100);

  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  @Option(
      names = "--rate",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "500",
      description = "Training samples per second.")
  int rate;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "60s",
      description = "How long the load runs.")
  Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "30s",
      description =
          "Load before the steady-state figures start; what is sent and requested during it is"
              + " reported apart, as the warm-up. The load runs for --warmup, then --duration.")
  Duration warmup;

  @Option(
      names = "--find-max",
      description =
          "Search for the maximum sustainable rate instead: probes from --rate, doubling while the"
              + " stack keeps up and then bisecting, each --warmup and --duration long on the same"
              + " stack. Sustainable: learned/s within 2%% of the rate offered and freshness p99 at"
              + " most --freshness-bound.")
  boolean findMax;

  @Option(
      names = "--max-probes",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "6",
      description = "With --find-max: at most this many probes.")
  int maxProbes;

  @Option(
      names = "--freshness-bound",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "10s",
      description =
          "The highest freshness p99 of a sustainable rate: the verdict of every run, and the"
              + " criterion of --find-max.")
  Duration freshnessBound;

  @Option(
      names = "--erasure-every",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "5s",
      description = "Time between erasure requests.")
  Duration erasureEvery;

  @Option(
      names = "--clients",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "2",
      description = "Prediction clients.")
  int clients;

  @Option(
      names = "--prediction-rate",
      paramLabel = "X",
      converter = PositiveRate.class,
      defaultValue = "50",
      description = "Prediction requests per second, over all clients.")
  double predictionRate;

  @Option(
      names = "--buffer-size",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "2048",
      description = "d_E of the embedded analytic model.")
  int bufferSize;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "bench-results/e2e",
      description = "Where bench.json, bench.md and the charts go.")
  Path out;

  // Snapshots every 2 s and checkpoints every second: a sample waits up to one of each before it
  // is served, so the 5 s freshness bound needs them this short
  // (docs/benchmarks.md#settings-chosen-by-measurement).
  @Option(
      names = "--snapshot-interval",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "2s",
      description = "The embedded model's snapshot interval.")
  Duration snapshotInterval;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "1s",
      description = "The embedded job's checkpoint interval.")
  Duration checkpointInterval;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      converter = Values.Bootstrap.class,
      description = "Run against an external stack with this Kafka (needs --registry, --service).")
  String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      converter = Values.HttpUrl.class,
      description = "The external stack's schema registry.")
  String registry;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--service",
      paramLabel = "URL",
      converter = Values.HttpUrl.class,
      description = "The external stack's model service.")
  String service;

  @Option(
      names = HttpAuthOptions.TOKEN_FILE,
      paramLabel = "FILE",
      description =
          "The external model service's bearer token: the first token in this file (the format of"
              + " lethe serve's --http-token-file).")
  Path httpTokenFile;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      defaultValue = "fmnist-analytic",
      description = "The external stack's analytic model.")
  String model;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the benchmark with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new EndToEndBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (bootstrap != null && (registry == null || service == null)) {
      throw new ParameterException(
          spec.commandLine(),
          "Options '--registry' and '--service' are required with '--bootstrap' (an external"
              + " stack)");
    }
    if (bootstrap == null && kafkaConfig.config().source().isPresent()) {
      throw new ParameterException(
          spec.commandLine(),
          "Option '"
              + KafkaConfigOption.NAME
              + "' needs '--bootstrap' (an external stack); the embedded stack has its own");
    }
    RegistryClientSettings registrySettings = null;
    if (bootstrap != null) {
      try {
        registrySettings =
            RegistryClientSettings.fromProperties(registry, kafkaConfig.config().properties());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value for option '" + KafkaConfigOption.NAME + "': " + e.getMessage());
      }
    }
    String[] args = spec.commandLine().getParseResult().originalArgs().toArray(String[]::new);
    Files.createDirectories(out);

    try (Progress progress = Progress.start("lethe bench")) {
      progress.phase("loading Fashion-MNIST");
      FashionMnist data = FashionMnist.load();
      ModelCatalog catalog =
          ModelCatalog.of(
              List.of(new DatasetSpec(DATASET, FashionMnist.FEATURES, FashionMnist.CLASSES)),
              List.of(
                  ModelSpec.of(EMBEDDED_MODEL, LearnerKind.ANALYTIC, DATASET)
                      .withSnapshot(
                          new SnapshotPolicy(1_000_000, snapshotInterval, Duration.ofMillis(500)))
                      .with(AnalyticSettings.BUFFER_SIZE, bufferSize)
                      .with(AnalyticSettings.GAMMA, 0.1)
                      .with(AnalyticSettings.SEED, 42L)));
      if (bootstrap != null) {
        // an external stack: Kafka, the registry, the ingress, the job and the model service run
        String authorization = null;
        if (httpTokenFile != null) {
          try {
            authorization = "Bearer " + BearerTokens.firstToken(httpTokenFile);
          } catch (IllegalArgumentException e) {
            throw new ParameterException(
                spec.commandLine(),
                "Invalid value for option '" + HttpAuthOptions.TOKEN_FILE + "': " + e.getMessage());
          }
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(registrySettings);
            LearnerWatch watch =
                LearnerWatch.start(
                    null,
                    service,
                    authorization,
                    List.of(model),
                    EndToEndBenchmark::learnerStopped)) {
          Run run = new Run(plan(), data, model, progress);
          run.kafkaConfig = kafkaConfig.config();
          run.authorization = authorization;
          run.execute(bootstrap, LetheTopics.create(TopicNames.defaults(), client), service);
          finish(run, bufferSize, out, args);
        }
        return Cli.OK;
      }
      Run run = new Run(plan(), data, EMBEDDED_MODEL, progress);
      progress.phase("starting the embedded stack");
      try (EmbeddedStack stack =
              EmbeddedStack.start(
                  catalog,
                  new EmbeddedStack.Ports(0, "dashboard", 0, "serve", 0, "ingress"),
                  checkpointInterval,
                  System.out);
          LearnerWatch watch =
              LearnerWatch.start(
                  stack.learnerJob(),
                  stack.serviceUrl(),
                  "Bearer " + stack.httpToken(),
                  List.of(EMBEDDED_MODEL),
                  EndToEndBenchmark::learnerStopped)) {
        // The stack's components run as their own least-privilege principals; the benchmark's
        // clients feed and observe every topic, as the administrator.
        run.kafkaConfig = stack.adminClientConfig();
        run.authorization = "Bearer " + stack.httpToken();
        run.execute(stack.bootstrapServers(), stack.topics(), stack.serviceUrl());
      }
      finish(run, bufferSize, out, args);
    }
    return Cli.OK;
  }

  private Plan plan() {
    return new Plan(
        rate,
        warmup,
        duration,
        erasureEvery,
        clients,
        predictionRate,
        findMax,
        maxProbes,
        freshnessBound);
  }

  /** A positive number of requests per second. */
  static final class PositiveRate implements ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      double value;
      try {
        value = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        value = Double.NaN;
      }
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new TypeConversionException("'" + text + "' is not a positive number");
      }
      return value;
    }
  }

  /** Ends the run: its figures would measure a stopped learner. */
  private static void learnerStopped(String why) {
    System.err.println("bench: stopped: " + why);
    System.exit(LearnerWatch.EXIT_STATUS);
  }

  private static void finish(Run run, int bufferSize, Path out, String[] args) throws Exception {
    Map<String, Object> report = run.report(bufferSize);
    JSON.writeValue(out.resolve("bench.json").toFile(), report);
    String markdown = run.markdown(report, String.join(" ", args));
    Files.writeString(out.resolve("bench.md"), markdown);
    run.charts(out);
    System.out.println();
    System.out.println(markdown);
    System.out.println("written: " + out.resolve("bench.json") + ", bench.md and the charts");
  }

  /** What one benchmark run does: its load, and the rates it offers. */
  record Plan(
      int rate,
      Duration warmup,
      Duration duration,
      Duration erasureEvery,
      int clients,
      double predictionRate,
      boolean findMax,
      int maxProbes,
      Duration freshnessBound) {
    /** At most this many erasures are requested: one erasable subject each. */
    int erasableSubjects() {
      long load = (warmup.toNanos() + duration.toNanos()) * (findMax ? maxProbes : 1);
      return (int) Math.min(1_000, load / erasureEvery.toNanos() + 1);
    }
  }

  /**
   * One load phase at one rate: the indexes of the samples it sent (the warm-up's, then the steady
   * state's) and its time window, in nanoTime.
   */
  private record Phase(
      int rate,
      long loadStart,
      long steadyStart,
      long loadEnd,
      int firstSample,
      int steadySample,
      int endSample,
      List<String> warmupErasures,
      List<String> steadyErasures,
      HttpLoad.Result predictions) {}

  /** One benchmark run and what it recorded. */
  private static final class Run {
    private final Plan plan;
    private final FashionMnist data;
    private final String model;
    private final Progress progress;
    // samples the model held before this run (an external stack may have learned before)
    private long baseline;
    private long baselineVersion = -1;
    private final HttpClient http = HttpClient.newHttpClient();
    // the model service's Authorization header, or null for an open service
    String authorization;
    // per sample, in send order: send time (nanoTime)
    private final List<Long> sent = new ArrayList<>();
    // committed snapshots: nanoTime seen, samples held (counting erased ones), version
    private final List<long[]> snapshots = new CopyOnWriteArrayList<>();
    private final Map<String, Long> erasedSamplesByRequest = new ConcurrentHashMap<>();
    private final Map<String, Long> requestedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> receiptAt = new ConcurrentHashMap<>();
    private final Map<String, Long> firstVersionWithout = new ConcurrentHashMap<>();
    private final List<long[]> servedVersions = new CopyOnWriteArrayList<>();
    private final List<Phase> phases = new ArrayList<>();
    private RateSearch search;
    // the erasable subjects' samples: the start-up, before any phase
    private int startupSamples;
    private long start;
    private volatile boolean watching = true;
    // sent.size() for the progress thread
    private volatile int sentCount;

    Run(Plan plan, FashionMnist data, String model, Progress progress) {
      this.plan = plan;
      this.progress = progress;
      this.model = model;
      this.data = data;
    }

    /** The external stack's Kafka client properties ({@code --kafka-config}). */
    KafkaClientConfig kafkaConfig = KafkaClientConfig.none();

    void execute(String bootstrap, LetheTopics topics, String serviceUrl) throws Exception {
      baseline = servedSamples(serviceUrl);
      Thread snapshotWatcher = watchSnapshots(bootstrap, topics);
      Thread receiptWatcher = watchReceipts(bootstrap, topics);
      Thread servedWatcher = watchServedVersions(serviceUrl);
      List<byte[]> bodies = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode features = body.putArray("instances").addObject().putArray("features");
        for (float v : data.test().features()[i]) {
          features.add(v);
        }
        bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
      }
      HttpLoad load =
          new HttpLoad(
              URI.create(serviceUrl + "/v1/models/" + model + ":predict"), bodies, authorization);
      try (KafkaProducer<String, TrainingSample> samples =
              producer(
                  kafkaConfig,
                  bootstrap,
                  "lethe-bench-samples",
                  topics.samplesRaw().valueSerde().serializer());
          KafkaProducer<String, ErasureRequest> erasures =
              producer(
                  kafkaConfig,
                  bootstrap,
                  "lethe-bench-erasures",
                  topics.erasuresRaw().valueSerde().serializer())) {
        // the start-up: the erasable subjects' samples, until a version with them is served (the
        // job, the ingress and the service have started and compiled their paths); timed apart
        int next = 0;
        for (int s = 0; s < plan.erasableSubjects(); s++) {
          for (int k = 0; k < SAMPLES_PER_ERASABLE; k++) {
            send(samples, topics, next++, "erasable-" + s);
          }
        }
        samples.flush();
        progress.phase(
            "start-up: waiting for a served version with the erasable subjects' samples");
        startupSamples = next;
        awaitLearned(startupSamples, Duration.ofMinutes(3));
        waitForVersion(serviceUrl);
        AutoCloseable ticker = progress.every(PROGRESS_EVERY, this::status);
        search = new RateSearch(plan.rate(), plan.findMax() ? plan.maxProbes() : 1, 0.1);
        int erased = 0;
        for (var rate = search.next(); rate.isPresent(); rate = search.next()) {
          progress.phase(
              "load at "
                  + rate.getAsInt()
                  + " samples/s: "
                  + plan.warmup().toSeconds()
                  + " s warm-up, then "
                  + plan.duration().toSeconds()
                  + " s measured; an erasure every "
                  + plan.erasureEvery().toMillis()
                  + " ms, "
                  + plan.predictionRate()
                  + " predictions/s");
          Phase phase = load(rate.getAsInt(), samples, erasures, topics, load, erased);
          erased += phase.warmupErasures().size() + phase.steadyErasures().size();
          phases.add(phase);
          progress.phase("load done; waiting for every sample to be learned and every receipt");
          awaitAll(sent.size());
          search.record(sustainable(phase));
        }
        ticker.close();
      } finally {
        watching = false;
        snapshotWatcher.join(10_000);
        receiptWatcher.join(10_000);
        servedWatcher.join(10_000);
      }
    }

    /** Offers {@code rate} samples/s for the warm-up and the measured duration. */
    private Phase load(
        int rate,
        KafkaProducer<String, TrainingSample> samples,
        KafkaProducer<String, ErasureRequest> erasures,
        LetheTopics topics,
        HttpLoad load,
        int erasedBefore)
        throws InterruptedException {
      long loadStart = System.nanoTime();
      if (phases.isEmpty()) {
        start = loadStart;
      }
      long steadyStart = loadStart + plan.warmup().toNanos();
      long end = steadyStart + plan.duration().toNanos();
      HttpLoad.Result[] predictions = new HttpLoad.Result[1];
      Thread loadThread =
          new Thread(
              () -> {
                try {
                  predictions[0] =
                      load.run(
                          plan.clients(),
                          plan.warmup(),
                          plan.duration(),
                          plan.predictionRate() / plan.clients());
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "bench-predictions");
      loadThread.start();
      int first = sent.size();
      int steady = -1;
      List<String> warmupErasures = new ArrayList<>();
      List<String> steadyErasures = new ArrayList<>();
      long nextErasure = loadStart + plan.erasureEvery().toNanos();
      int erased = erasedBefore;
      int paced = 0;
      while (System.nanoTime() < end) {
        if (steady < 0 && System.nanoTime() >= steadyStart) {
          steady = sent.size();
        }
        int n = sent.size();
        send(samples, topics, n, "subject-" + (n % 500));
        paced++;
        long due = loadStart + (long) (paced * 1e9 / rate);
        if (System.nanoTime() >= nextErasure && erased < plan.erasableSubjects()) {
          String id = erase(erasures, topics, "erasable-" + erased++);
          (steady < 0 ? warmupErasures : steadyErasures).add(id);
          nextErasure += plan.erasureEvery().toNanos();
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      samples.flush();
      loadThread.join();
      return new Phase(
          rate,
          loadStart,
          steadyStart,
          end,
          first,
          steady < 0 ? sent.size() : steady,
          sent.size(),
          warmupErasures,
          steadyErasures,
          predictions[0]);
    }

    /** One progress line; called on the progress thread, so it reads only counts. */
    private String status() {
      long learned = snapshots.isEmpty() ? 0 : snapshots.get(snapshots.size() - 1)[1];
      return "sent "
          + sentCount
          + " samples, the newest snapshot holds "
          + learned
          + ", "
          + receiptAt.size()
          + " of "
          + requestedAt.size()
          + " erasures have receipts";
    }

    private void send(
        KafkaProducer<String, TrainingSample> producer, LetheTopics topics, int n, String subject) {
      int i = n % data.train().size();
      List<Float> features = new ArrayList<>(784);
      for (float v : data.train().features()[i]) {
        features.add(v);
      }
      int label = data.train().labels()[i];
      TrainingSample sample =
          TrainingSample.newBuilder()
              .setSampleId("b-" + n)
              .setSubjectId(subject)
              .setDataset(DATASET)
              .setTask(String.valueOf(label / 2))
              .setFeatures(features)
              .setLabel(label)
              .setEventTime(Instant.now())
              .setAttributes(null)
              .build();
      sent.add(System.nanoTime());
      sentCount = sent.size();
      producer.send(new ProducerRecord<>(topics.samplesRaw().name(), subject, sample));
    }

    private String erase(
        KafkaProducer<String, ErasureRequest> producer, LetheTopics topics, String s) {
      String id = "bench-erase-" + s;
      erasedSamplesByRequest.put(id, (long) SAMPLES_PER_ERASABLE);
      requestedAt.put(id, System.nanoTime());
      producer.send(
          new ProducerRecord<>(
              topics.erasuresRaw().name(),
              s,
              ErasureRequest.newBuilder()
                  .setRequestId(id)
                  .setScope(ErasureScope.SUBJECT)
                  .setIds(List.of(s))
                  .setSubjectId(s)
                  .setDataset(DATASET)
                  .setModels(List.of())
                  .setRequestedAt(Instant.now())
                  .setRequester("lethe-bench")
                  .build()));
      producer.flush();
      return id;
    }

    private void awaitLearned(int total, Duration limit) {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline
          && (snapshots.isEmpty() || snapshots.get(snapshots.size() - 1)[1] < total)) {
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }

    /** Waits until a committed snapshot holds every sample sent, and every receipt is in. */
    private void awaitAll(int total) {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        boolean receipts = receiptAt.keySet().containsAll(requestedAt.keySet());
        boolean learned = !snapshots.isEmpty() && snapshots.get(snapshots.size() - 1)[1] >= total;
        boolean served = firstVersionWithout.values().stream().allMatch(v -> servedAt(v) != null);
        if (receipts && learned && served) {
          return;
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
      System.out.println("bench: not everything arrived within 3 minutes; reporting what did");
    }

    private Long servedAt(long version) {
      for (long[] s : servedVersions) {
        if (s[1] >= version) {
          return s[0];
        }
      }
      return null;
    }

    private Thread watchSnapshots(String bootstrap, LetheTopics topics) {
      KafkaConsumer<String, byte[]> consumer =
          reader(kafkaConfig, bootstrap, "lethe-bench-snapshots", TopicNames.defaults().models());
      Thread thread =
          new Thread(
              () -> {
                long erasedReflected = 0;
                try (consumer) {
                  while (watching) {
                    for (var record : consumer.poll(Duration.ofMillis(50))) {
                      if (!model.equals(record.key()) || record.value() == null) {
                        continue;
                      }
                      ModelSnapshot snapshot =
                          topics
                              .models()
                              .valueSerde()
                              .deserializer()
                              .deserialize(record.topic(), record.value());
                      for (String request : snapshot.getLineage().getErasuresReflected()) {
                        erasedReflected += erasedSamplesByRequest.getOrDefault(request, 0L);
                      }
                      long held =
                          snapshot.getLineage().getSamplesPerTask().stream()
                              .mapToLong(TaskSamples::getSamples)
                              .sum();
                      if (snapshot.getVersion() > baselineVersion) {
                        snapshots.add(
                            new long[] {
                              System.nanoTime(),
                              held + erasedReflected - baseline,
                              snapshot.getVersion()
                            });
                      }
                    }
                  }
                }
              },
              "bench-snapshots");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private Thread watchReceipts(String bootstrap, LetheTopics topics) {
      KafkaConsumer<String, byte[]> consumer =
          reader(kafkaConfig, bootstrap, "lethe-bench-receipts", TopicNames.defaults().receipts());
      Thread thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (watching) {
                    for (var record : consumer.poll(Duration.ofMillis(50))) {
                      ErasureReceipt receipt =
                          topics
                              .receipts()
                              .valueSerde()
                              .deserializer()
                              .deserialize(record.topic(), record.value());
                      receiptAt.put(receipt.getRequestId(), System.nanoTime());
                      for (ModelErasure m : receipt.getModels()) {
                        if (m.getModel().equals(model) && m.getFirstVersionWithout() != null) {
                          firstVersionWithout.put(
                              receipt.getRequestId(), m.getFirstVersionWithout());
                        }
                      }
                    }
                  }
                }
              },
              "bench-receipts");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private Thread watchServedVersions(String serviceUrl) {
      Thread thread =
          new Thread(
              () -> {
                long last = -1;
                while (watching) {
                  long version = servedVersion(serviceUrl);
                  if (version > last) {
                    servedVersions.add(new long[] {System.nanoTime(), version});
                    last = version;
                  }
                  LockSupport.parkNanos(SERVED_POLL.toNanos());
                }
              },
              "bench-served");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private HttpRequest describeRequest(String serviceUrl) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(serviceUrl + "/v1/models/" + model));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      return request.build();
    }

    private long servedVersion(String serviceUrl) {
      try {
        HttpResponse<String> response =
            http.send(describeRequest(serviceUrl), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200
            ? JSON.readTree(response.body()).get("version").asLong()
            : -1;
      } catch (Exception e) {
        return -1;
      }
    }

    /** Samples held by the served version before the run (and its version), 0 if none. */
    private long servedSamples(String serviceUrl) {
      try {
        HttpResponse<String> response =
            http.send(describeRequest(serviceUrl), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          return 0;
        }
        var described = JSON.readTree(response.body());
        baselineVersion = described.get("version").asLong();
        long held = 0;
        for (var count : described.path("lineage").path("samples_per_task")) {
          held += count.asLong();
        }
        return held;
      } catch (Exception e) {
        return 0;
      }
    }

    private void waitForVersion(String serviceUrl) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (System.nanoTime() < deadline && servedVersion(serviceUrl) < 1) {
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }

    /** Freshness of each sample in ms (NaN if never seen included), in send order. */
    private double[] freshness() {
      double[] out = new double[sent.size()];
      int s = 0;
      for (int k = 0; k < sent.size(); k++) {
        while (s < snapshots.size() && snapshots.get(s)[1] < k + 1) {
          s++;
        }
        out[k] = s < snapshots.size() ? (snapshots.get(s)[0] - sent.get(k)) / 1e6 : Double.NaN;
      }
      return out;
    }

    /**
     * The start-up transient: from the first sample sent to the first committed snapshot holding
     * it, and to the model service serving that version.
     */
    private Map<String, Object> startup() {
      Map<String, Object> startup = new LinkedHashMap<>();
      if (sent.isEmpty()) {
        return startup;
      }
      long firstSent = sent.get(0);
      long[] holding = snapshots.stream().filter(x -> x[1] >= 1).findFirst().orElse(null);
      Long served = holding == null ? null : servedAt(holding[2]);
      startup.put(
          "first_sample_to_committed_snapshot_ms",
          holding == null ? null : (holding[0] - firstSent) / 1e6);
      startup.put("first_sample_to_serving_ms", served == null ? null : (served - firstSent) / 1e6);
      startup.put("samples", startupSamples);
      return startup;
    }

    /** Freshness of the samples with indexes in [from, to), ms. */
    private Map<String, Object> freshness(double[] all, int from, int to) {
      return percentiles(java.util.Arrays.copyOfRange(all, from, to));
    }

    private Map<String, Object> erasureLatency(List<String> ids, boolean toServing) {
      List<Double> latencies = new ArrayList<>();
      for (String id : ids) {
        long at = requestedAt.get(id);
        Long done;
        if (toServing) {
          Long version = firstVersionWithout.get(id);
          done = version == null ? null : servedAt(version);
        } else {
          done = receiptAt.get(id);
        }
        if (done != null) {
          latencies.add((done - at) / 1e6);
        }
      }
      return percentiles(toDoubles(latencies));
    }

    /** Samples learned a second over the committed snapshots seen in [from, to], or null. */
    private Double learnedPerSecond(long from, long to) {
      return EndToEndBenchmark.learnedPerSecond(snapshots, from, to);
    }

    /** Learned/s within 2% of the rate and freshness p99 within the bound. */
    private boolean sustainable(Phase phase) {
      Double learned = learnedPerSecond(phase.steadyStart(), phase.loadEnd());
      Object p99 = freshness(freshness(), phase.steadySample(), phase.endSample()).get("p99");
      return learned != null
          && learned >= 0.98 * phase.rate()
          && p99 instanceof Double d
          && d <= plan.freshnessBound().toMillis();
    }

    private Map<String, Object> phaseReport(Phase phase, double[] fresh) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("target_rate", phase.rate());
      Map<String, Object> warm = new LinkedHashMap<>();
      warm.put("seconds", plan.warmup().toSeconds());
      warm.put("samples_sent", phase.steadySample() - phase.firstSample());
      warm.put("freshness_ms", freshness(fresh, phase.firstSample(), phase.steadySample()));
      warm.put("erasures", phase.warmupErasures().size());
      warm.put("erasure_to_serving_ms", erasureLatency(phase.warmupErasures(), true));
      report.put("warmup", warm);
      report.put("duration_seconds", plan.duration().toSeconds());
      int steadySent = phase.endSample() - phase.steadySample();
      report.put("samples_sent", steadySent);
      report.put(
          "sent_samples_per_second", steadySent / ((phase.loadEnd() - phase.steadyStart()) / 1e9));
      report.put(
          "ingest_samples_per_second", learnedPerSecond(phase.steadyStart(), phase.loadEnd()));
      report.put("freshness_ms", freshness(fresh, phase.steadySample(), phase.endSample()));
      report.put("erasures", phase.steadyErasures().size());
      report.put("erasure_to_receipt_ms", erasureLatency(phase.steadyErasures(), false));
      report.put("erasure_to_serving_ms", erasureLatency(phase.steadyErasures(), true));
      if (phase.predictions() != null) {
        Histogram h = phase.predictions().histogram();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("clients", plan.clients());
        p.put("target_requests_per_second", plan.predictionRate());
        p.put("requests_per_second", phase.predictions().throughput());
        p.put("p50", h.getValueAtPercentile(50) / 1000.0);
        p.put("p99", h.getValueAtPercentile(99) / 1000.0);
        p.put("errors", phase.predictions().errors());
        report.put("prediction_latency_ms", p);
      }
      report.put("sustainable", sustainable(phase));
      return report;
    }

    Map<String, Object> report(int bufferSize) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put(
          "model",
          Map.of(
              "name",
              model,
              "learner",
              "ANALYTIC",
              AnalyticSettings.BUFFER_SIZE.key(),
              bufferSize));
      report.put("startup", startup());
      double[] fresh = freshness();
      if (!plan.findMax()) {
        if (!phases.isEmpty()) {
          report.putAll(phaseReport(phases.get(0), fresh));
        }
        return report;
      }
      Map<String, Object> criteria = new LinkedHashMap<>();
      criteria.put("min_learned_fraction_of_offered", 0.98);
      criteria.put("max_freshness_p99_ms", plan.freshnessBound().toMillis());
      report.put("sustainable_if", criteria);
      List<Map<String, Object>> probes = new ArrayList<>();
      for (Phase phase : phases) {
        probes.add(phaseReport(phase, fresh));
      }
      report.put("probes", probes);
      // null (JSON null) when the probes found no such rate
      report.put(
          "max_sustainable_rate",
          search.highestSustainable().stream().boxed().findFirst().orElse(null));
      report.put(
          "lowest_unsustainable_rate",
          search.lowestUnsustainable().stream().boxed().findFirst().orElse(null));
      return report;
    }

    String markdown(Map<String, Object> report, String args) {
      StringBuilder md = new StringBuilder();
      md.append("```\n./lethe bench ").append(args).append("\n```\n\n");
      md.append("| measure | value |\n| --- | --- |\n");
      @SuppressWarnings("unchecked")
      Map<String, Object> startup = (Map<String, Object>) report.get("startup");
      md.append(
          row(
              "start-up: first sample sent to the first committed snapshot holding it, ms",
              startup.get("first_sample_to_committed_snapshot_ms")));
      md.append(
          row(
              "start-up: first sample sent to the model service serving it, ms",
              startup.get("first_sample_to_serving_ms")));
      if (!plan.findMax()) {
        phaseRows(md, report);
        return md.toString();
      }
      md.append(
          row(
              "maximum sustainable rate, samples/s (learned/s within 2% of it, freshness p99 at"
                  + " most "
                  + plan.freshnessBound().toMillis()
                  + " ms)",
              orNone(report.get("max_sustainable_rate"))));
      md.append(
          row(
              "lowest rate not sustained, samples/s",
              orNone(report.get("lowest_unsustainable_rate"))));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> probes = (List<Map<String, Object>>) report.get("probes");
      for (Map<String, Object> probe : probes) {
        md.append("\n### ").append(probe.get("target_rate")).append(" samples/s offered\n\n");
        md.append("| measure | value |\n| --- | --- |\n");
        phaseRows(md, probe);
      }
      return md.toString();
    }

    private void phaseRows(StringBuilder md, Map<String, Object> phase) {
      @SuppressWarnings("unchecked")
      Map<String, Object> warm = (Map<String, Object>) phase.get("warmup");
      md.append(
          row(
              "warm-up (first " + plan.warmup().toSeconds() + " s): freshness, ms",
              warm.get("freshness_ms")));
      md.append(
          row(
              "warm-up: erasure to model service serving it, ms",
              warm.get("erasure_to_serving_ms")));
      md.append(
          row(
              "steady state: samples sent (target rate " + phase.get("target_rate") + "/s)",
              phase.get("samples_sent")));
      md.append(row("steady state: samples sent/s", phase.get("sent_samples_per_second")));
      md.append(row("steady state: samples learned/s", phase.get("ingest_samples_per_second")));
      md.append(
          row(
              "steady state: freshness, event to committed snapshot, ms",
              phase.get("freshness_ms")));
      md.append(row("steady state: erasure to receipt, ms", phase.get("erasure_to_receipt_ms")));
      md.append(
          row(
              "steady state: erasure to model service serving it, ms",
              phase.get("erasure_to_serving_ms")));
      md.append(
          row(
              "steady state: prediction latency under load, ms",
              phase.get("prediction_latency_ms")));
      md.append(row("sustainable", phase.get("sustainable")));
    }

    private static Object orNone(Object rate) {
      return rate == null ? "none found" : rate;
    }

    private static String row(String name, Object value) {
      return "| " + name + " | " + format(value) + " |\n";
    }

    /** Numbers without their long tails: ms and rates to a whole, percentiles likewise. */
    private static String format(Object value) {
      if (value instanceof Double d) {
        return String.format("%.0f", d);
      }
      if (value instanceof Map<?, ?> map) {
        StringBuilder out = new StringBuilder();
        map.forEach(
            (k, v) ->
                out.append(out.length() == 0 ? "" : ", ").append(k).append(' ').append(format(v)));
        return out.toString();
      }
      return String.valueOf(value);
    }

    void charts(Path out) throws Exception {
      double[] fresh = freshness();
      double[] sentAt = new double[sent.size()];
      for (int k = 0; k < sentAt.length; k++) {
        sentAt[k] = (sent.get(k) - start) / 1e9;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int k = startupSamples; k < fresh.length; k += Math.max(1, fresh.length / 2000)) {
        if (!Double.isNaN(fresh[k])) {
          xs.add(sentAt[k]);
          ys.add(fresh[k]);
        }
      }
      new LineChart("Freshness: event to committed snapshot", "sent at (s)", "ms")
          .add(new LineChart.Series("sample", toDoubles(xs), toDoubles(ys), false))
          .write(out.resolve("bench-freshness.png"), 800, 400);
      Map<Long, Histogram> perSecond = new LinkedHashMap<>();
      for (Phase phase : phases) {
        if (phase.predictions() == null) {
          continue;
        }
        for (HttpLoad.Sample s : phase.predictions().samples()) {
          long second = (s.startNanos() - start) / 1_000_000_000L;
          perSecond
              .computeIfAbsent(second, x -> new Histogram(3_600_000_000L, 2))
              .recordValue(Math.max(1, s.latencyNanos() / 1000));
        }
      }
      if (!perSecond.isEmpty()) {
        double[] x = new double[perSecond.size()];
        double[] p50 = new double[x.length];
        double[] p99 = new double[x.length];
        int i = 0;
        for (Map.Entry<Long, Histogram> e : perSecond.entrySet()) {
          x[i] = e.getKey();
          p50[i] = e.getValue().getValueAtPercentile(50) / 1000.0;
          p99[i] = e.getValue().getValueAtPercentile(99) / 1000.0;
          i++;
        }
        new LineChart("Prediction latency under ingest and erasures", "time (s)", "ms")
            .add(new LineChart.Series("p50 per second", x, p50, true))
            .add(new LineChart.Series("p99 per second", x, p99, true))
            .write(out.resolve("bench-prediction-latency.png"), 800, 400);
      }
      List<Double> at = new ArrayList<>();
      List<Double> receipt = new ArrayList<>();
      List<Double> servedX = new ArrayList<>();
      List<Double> served = new ArrayList<>();
      requestedAt.forEach(
          (id, t) -> {
            Long r = receiptAt.get(id);
            if (r != null) {
              at.add((t - start) / 1e9);
              receipt.add((r - t) / 1e6);
            }
            Long version = firstVersionWithout.get(id);
            Long s = version == null ? null : servedAt(version);
            if (s != null) {
              servedX.add((t - start) / 1e9);
              served.add((s - t) / 1e6);
            }
          });
      new LineChart("Erasure latency", "requested at (s)", "ms")
          .add(new LineChart.Series("to receipt", toDoubles(at), toDoubles(receipt), false))
          .add(new LineChart.Series("to serving", toDoubles(servedX), toDoubles(served), false))
          .write(out.resolve("bench-erasure-latency.png"), 800, 400);
    }
  }

  /**
   * Samples learned a second over the committed snapshots seen in [from, to] (nanoTime, samples
   * held): the least-squares slope of samples held against the time each snapshot was seen, or null
   * with fewer than two distinct times. A slope, not the first and the last snapshot: snapshots
   * that a backlogged reader sees together in one poll would otherwise give a rate of millions.
   */
  static Double learnedPerSecond(List<long[]> snapshots, long from, long to) {
    List<long[]> in = snapshots.stream().filter(x -> x[0] >= from && x[0] <= to).toList();
    if (in.isEmpty()) {
      return null;
    }
    double t0 = in.get(0)[0];
    double meanT = 0;
    double meanH = 0;
    for (long[] x : in) {
      meanT += (x[0] - t0) / 1e9;
      meanH += x[1];
    }
    meanT /= in.size();
    meanH /= in.size();
    double covariance = 0;
    double variance = 0;
    for (long[] x : in) {
      double t = (x[0] - t0) / 1e9 - meanT;
      covariance += t * (x[1] - meanH);
      variance += t * t;
    }
    return variance > 0 ? covariance / variance : null;
  }

  static Map<String, Object> percentiles(double[] values) {
    List<Double> kept = new ArrayList<>();
    for (double v : values) {
      if (!Double.isNaN(v)) {
        kept.add(v);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", kept.size());
    if (kept.isEmpty()) {
      return out;
    }
    kept.sort(Double::compare);
    out.put("p50", kept.get((int) Math.ceil(0.50 * kept.size()) - 1));
    out.put("p99", kept.get((int) Math.ceil(0.99 * kept.size()) - 1));
    out.put("max", kept.get(kept.size() - 1));
    return out;
  }

  static double[] toDoubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static KafkaConsumer<String, byte[]> reader(
      KafkaClientConfig kafkaConfig, String bootstrap, String clientId, String topic) {
    Map<String, Object> props =
        kafkaConfig.layer(
            bootstrap,
            clientId,
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                TopicNames.MAX_SNAPSHOT_BYTES));
    KafkaConsumer<String, byte[]> consumer =
        kafkaConfig.create(
            "consumer " + props.get(ConsumerConfig.CLIENT_ID_CONFIG),
            () ->
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()));
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** A producer; the file may tune it (acks, linger), since the run only needs it to deliver. */
  private static <V> KafkaProducer<String, V> producer(
      KafkaClientConfig kafkaConfig,
      String bootstrap,
      String clientId,
      org.apache.kafka.common.serialization.Serializer<V> values) {
    Map<String, String> tuning = new java.util.HashMap<>();
    tuning.put(ProducerConfig.ACKS_CONFIG, "all");
    tuning.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    Map<String, Object> props = new java.util.TreeMap<>(tuning);
    props.putAll(kafkaConfig.layer(bootstrap, clientId, Map.of()));
    return kafkaConfig.create(
        "producer " + props.get(ProducerConfig.CLIENT_ID_CONFIG),
        () -> new KafkaProducer<>(props, new StringSerializer(), values));
  }
}
