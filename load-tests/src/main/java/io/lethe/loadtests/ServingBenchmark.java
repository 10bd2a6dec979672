package io.lethe.loadtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.cli.Cli;
import io.lethe.cli.Progress;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.local.kafka.EmbeddedKafka;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.serving.ModelService;
import io.lethe.serving.ScoringSettings;
import io.lethe.serving.ServingSettings;
import java.io.IOException;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lethe bench-serving}: the model service under HTTP load, on the embedded broker and
 * registry, serving an analytic Fashion-MNIST model (d_E 2048 by default).
 *
 * <ol>
 *   <li>Steady state at each client count (default 1, 16, 64): closed-loop clients each POST one
 *       Fashion-MNIST test image per request; throughput and p50/p99/p99.9 latency.
 *   <li>Swaps: at {@code --swap-clients} (default 16), new versions are published while the load
 *       runs; a request "overlaps a swap" if it was in flight between a version's publication and
 *       the moment the service swapped it in (its {@code loaded_at}). p99 of those requests against
 *       p99 of the others in the same run. One version is swapped in before the measured load
 *       starts, unmeasured, as each load starts with an unmeasured warm-up: the first swap of a
 *       service's life runs its loading code for the first time since start-up.
 * </ol>
 *
 * Everything (broker, registry, service, clients) shares this machine's cores, as in the demo.
 */
@Command(
    name = "lethe bench-serving",
    description = {
      "The model service under HTTP load at each client count, then while new versions are"
          + " published; prints markdown tables, and writes JSON with --report.",
      "Durations are written 500ms, 30s, 10m or 1h; a bare number is seconds. Progress goes to"
          + " standard error."
    })
public final class ServingBenchmark implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "bench-analytic";

  @Mixin StandardOptions standard;

  @Option(
      names = "--clients",
      paramLabel = "N",
      split = ",",
      converter = Values.Positive.class,
      defaultValue = "1,16,64",
      description = "Closed-loop client counts, one steady-state run each.")
  List<Integer> clientCounts;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "5s",
      description = "Unmeasured load before each steady-state run.")
  Duration warmup;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "15s",
      description = "Each measured run.")
  Duration duration;

  @Option(
      names = "--buffer-size",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "2048",
      description = "d_E of the served analytic model.")
  int bufferSize;

  @Option(
      names = "--swap-clients",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "16",
      description = "Clients while versions swap.")
  int swapClients;

  @Option(
      names = "--swaps",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "5",
      description = "New versions published during the swap run.")
  int swaps;

  @Option(
      names = "--batch",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "1",
      description = "Instances per predict request.")
  int batch;

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "1",
      description = "PyTorch threads per scoring call.")
  int threads;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "64",
      description = "The service's --max-batch (1: no batching).")
  int maxBatch;

  @Option(
      names = "--batch-wait-micros",
      paramLabel = "N",
      defaultValue = "200",
      description = "The service's --batch-wait-micros.")
  int batchWaitMicros;

  @Option(
      names = "--buffer-precision",
      paramLabel = "float32|float64",
      defaultValue = "float32",
      description = "The service's --buffer-precision.")
  String bufferPrecision;

  @Option(
      names = "--skip-baseline",
      description =
          "Skip the baseline: by default each client count runs first on a service that scores"
              + " every request alone in float64 (--max-batch 1 --buffer-precision float64), then"
              + " on the configured one, in the same run.")
  boolean skipBaseline;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path report;

  /** The older name of {@code --report}. */
  @Option(names = "--json", hidden = true)
  Path jsonReport;

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
    return Cli.run(new ServingBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    try (Progress progress = Progress.start("lethe bench-serving")) {
      run(progress, report != null ? report : jsonReport);
    }
    return Cli.OK;
  }

  private void run(Progress progress, Path json) throws Exception {
    progress.phase("loading Fashion-MNIST");
    FashionMnist data = FashionMnist.load();
    // v1 is served from the start, v2 is the unmeasured first swap, v3.. are the measured swaps
    progress.phase("training v1..v" + (swaps + 2) + " of an analytic model at d_E " + bufferSize);
    List<ModelSnapshot> versions = train(data.train(), bufferSize, swaps + 2);
    List<byte[]> bodies = bodies(data.test(), batch, 512);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put(
        "model",
        Map.of(
            "learner",
            "ANALYTIC",
            AnalyticSettings.BUFFER_SIZE.key(),
            bufferSize,
            AnalyticSettings.INPUT_DIM.key(),
            784));
    report.put("instances_per_request", batch);
    report.put("intra_op_threads", threads);
    report.put("warmup_seconds", warmup.toSeconds());
    report.put("duration_seconds", duration.toSeconds());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    ScoringSettings scoring =
        new ScoringSettings(
            maxBatch,
            Duration.ofNanos(1_000L * batchWaitMicros),
            ScoringSettings.precision(bufferPrecision));
    report.put("scoring", scoringReport(scoring));
    progress.phase("starting the broker, the registry and the model service");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.url())) {
      String topic = TopicNames.defaults().models();
      createModelsTopic(kafka.bootstrapServers(), topic);
      try (KafkaProducer<String, ModelSnapshot> producer = producer(kafka, client)) {
        publish(producer, topic, versions.get(0));
        System.out.println();
        System.out.println(
            "| scoring | clients | requests/s | p50 ms | p99 ms | p99.9 ms | rows per product"
                + " (mean, p90 bucket) | client CPU per request | errors |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        if (!skipBaseline) {
          ScoringSettings unbatched = ScoringSettings.unbatched();
          try (ModelService service = start(kafka, registry, unbatched)) {
            report.put(
                "baseline",
                Map.of(
                    "scoring",
                    scoringReport(unbatched),
                    "steady",
                    steadyRuns(progress, service, bodies, "baseline", unbatched)));
          }
        }
        try (ModelService service = start(kafka, registry, scoring)) {
          report.put("steady", steadyRuns(progress, service, bodies, "measured", scoring));
          String base = "http://127.0.0.1:" + service.port();
          HttpLoad load =
              new HttpLoad(URI.create(base + "/v1/models/" + MODEL + ":predict"), bodies);
          progress.phase("swaps: " + swaps + " new versions at " + swapClients + " client(s)");
          report.put(
              "swap", swapPhase(load, producer, topic, versions, base, swapClients, duration));
        }
      }
    }
    if (json != null) {
      Files.createDirectories(json.toAbsolutePath().getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
      System.out.println("report written to " + json);
    }
  }

  private ModelService start(
      EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, ScoringSettings scoring)
      throws IOException, InterruptedException {
    ModelService service =
        ModelService.start(
            ServingSettings.defaults(kafka.bootstrapServers(), registry.url())
                .withHost("127.0.0.1")
                .withPort(0)
                .withIntraOpThreads(threads)
                .withScoring(scoring));
    waitForVersion("http://127.0.0.1:" + service.port(), 1, Duration.ofSeconds(60));
    return service;
  }

  /** One steady-state run per client count on {@code service}, printed as table rows. */
  private List<Map<String, Object>> steadyRuns(
      Progress progress,
      ModelService service,
      List<byte[]> bodies,
      String label,
      ScoringSettings scoring)
      throws IOException, InterruptedException {
    String base = "http://127.0.0.1:" + service.port();
    HttpLoad load = new HttpLoad(URI.create(base + "/v1/models/" + MODEL + ":predict"), bodies);
    String shown =
        scoring.maxBatch() == 1
            ? "alone, " + scoring.bufferPrecision().name().toLowerCase(Locale.ROOT)
            : "batched (max "
                + scoring.maxBatch()
                + ", "
                + scoring.batchWait().toNanos() / 1000
                + " us), "
                + scoring.bufferPrecision().name().toLowerCase(Locale.ROOT);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int clients : clientCounts) {
      progress.phase(
          label
              + ": steady state at "
              + clients
              + " client(s): "
              + warmup.toSeconds()
              + " s warm-up, "
              + duration.toSeconds()
              + " s measured");
      // the warm-up's products are counted too: scrape after it, in a run of its own
      load.run(clients, warmup, Duration.ZERO);
      BatchRows before = BatchRows.scrape(base);
      HttpLoad.Result result = load.run(clients, Duration.ZERO, duration);
      BatchRows batches = BatchRows.scrape(base).minus(before);
      Histogram h = result.histogram();
      Map<String, Object> row = row(result, h);
      row.put("batch_rows", batches.report());
      row.put("client_cpu_us_per_request", result.clientCpuMicrosPerRequest());
      row.put("client_cores", result.clientCores());
      rows.add(row);
      System.out.printf(
          "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.1f, <= %s | %.0f us (%.2f cores) | %d |%n",
          shown,
          clients,
          result.throughput(),
          ms(h, 50),
          ms(h, 99),
          ms(h, 99.9),
          batches.mean(),
          batches.bucketAt(0.9),
          result.clientCpuMicrosPerRequest(),
          result.clientCores(),
          result.errors());
      requireNoErrors(result);
    }
    return rows;
  }

  private static Map<String, Object> scoringReport(ScoringSettings scoring) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(ScoringSettings.MAX_BATCH.key(), scoring.maxBatch());
    out.put(ScoringSettings.BATCH_WAIT_MICROS.key(), scoring.batchWait().toNanos() / 1000);
    out.put(
        ScoringSettings.BUFFER_PRECISION.key(),
        scoring.bufferPrecision().name().toLowerCase(Locale.ROOT));
    return out;
  }

  /**
   * The service's {@code lethe_serving_batch_rows} histogram of the benchmark's model: cumulative
   * counts by upper bound, from {@code /metrics}.
   */
  private record BatchRows(TreeMap<Double, Double> cumulative, double sum, double count) {
    static BatchRows scrape(String base) throws IOException, InterruptedException {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      TreeMap<Double, Double> cumulative = new TreeMap<>();
      double sum = 0;
      double count = 0;
      String series = "lethe_serving_batch_rows";
      String model = "model=\"" + MODEL + "\"";
      for (String line : response.body().split("\n")) {
        if (!line.startsWith(series) || !line.contains(model)) {
          continue;
        }
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith(series + "_bucket")) {
          String le = line.replaceFirst(".*le=\"([^\"]+)\".*", "$1");
          cumulative.put(
              le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), value);
        } else if (line.startsWith(series + "_sum")) {
          sum = value;
        } else if (line.startsWith(series + "_count")) {
          count = value;
        }
      }
      return new BatchRows(cumulative, sum, count);
    }

    BatchRows minus(BatchRows earlier) {
      TreeMap<Double, Double> diff = new TreeMap<>();
      cumulative.forEach((le, n) -> diff.put(le, n - earlier.cumulative.getOrDefault(le, 0.0)));
      return new BatchRows(diff, sum - earlier.sum, count - earlier.count);
    }

    double mean() {
      return count == 0 ? Double.NaN : sum / count;
    }

    /** The smallest bucket bound holding at least {@code share} of the products. */
    String bucketAt(double share) {
      for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
        if (count > 0 && bucket.getValue() >= share * count) {
          return String.format("%.0f", bucket.getKey());
        }
      }
      return "?";
    }

    Map<String, Object> report() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("products", (long) count);
      out.put("rows", (long) sum);
      out.put("mean_rows_per_product", mean());
      Map<String, Long> products = new LinkedHashMap<>();
      double below = 0;
      for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
        String le = bucket.getKey().isInfinite() ? "+Inf" : String.format("%.0f", bucket.getKey());
        products.put(le, Math.round(bucket.getValue() - below));
        below = bucket.getValue();
      }
      out.put("products_by_rows_up_to", products);
      return out;
    }
  }

  /** Publishes versions 2.. during a run at {@code clients} and splits latencies by overlap. */
  private static Map<String, Object> swapPhase(
      HttpLoad load,
      KafkaProducer<String, ModelSnapshot> producer,
      String topic,
      List<ModelSnapshot> versions,
      String base,
      int clients,
      Duration duration)
      throws Exception {
    List<long[]> windows = new ArrayList<>();
    List<long[]> loads = new ArrayList<>();
    Thread publisher =
        new Thread(
            () -> {
              long gap = duration.toNanos() / versions.size();
              try {
                double loadSeconds = loadSecondsSum(base);
                for (int v = 2; v < versions.size(); v++) {
                  waitNanos(gap);
                  long published = System.nanoTime();
                  publish(producer, topic, versions.get(v));
                  Instant loaded = waitForVersion(base, v + 1, Duration.ofSeconds(30));
                  long swapped = nanoTimeAt(loaded);
                  windows.add(new long[] {published, swapped});
                  double total = loadSecondsSum(base);
                  loads.add(new long[] {swapped - (long) ((total - loadSeconds) * 1e9), swapped});
                  loadSeconds = total;
                }
              } catch (Exception e) {
                throw new IllegalStateException("publishing a new version failed", e);
              }
            },
            "swap-publisher");
    HttpLoad.Result[] result = new HttpLoad.Result[1];
    // the load's warm-up is 1 s; the publisher waits one gap before the first swap
    Thread runner =
        new Thread(
            () -> {
              try {
                result[0] = load.run(clients, Duration.ofSeconds(1), duration);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "swap-load");
    // the unmeasured first swap (see the class comment), before the load
    publish(producer, topic, versions.get(1));
    waitForVersion(base, 2, Duration.ofSeconds(30));
    runner.start();
    waitNanos(Duration.ofSeconds(1).toNanos());
    publisher.start();
    publisher.join();
    runner.join();
    requireNoErrors(result[0]);
    Histogram during = result[0].histogram(s -> overlaps(s, windows));
    Histogram outside = result[0].histogram(s -> !overlaps(s, windows));
    List<Double> swapMs = windows.stream().map(w -> (w[1] - w[0]) / 1e6).toList();
    // the service's own part: verify, decode, warm (without the producer's and broker's work)
    Histogram duringLoad = result[0].histogram(s -> overlaps(s, loads));
    Histogram outsideLoad = result[0].histogram(s -> !overlaps(s, loads));
    List<Double> loadMs = loads.stream().map(w -> (w[1] - w[0]) / 1e6).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("clients", clients);
    out.put("swaps", windows.size());
    out.put("publish_to_served_ms", swapMs);
    out.put("requests_per_second", result[0].throughput());
    out.put("requests_overlapping_a_swap", during.getTotalCount());
    out.put("p50_ms_during_swap", ms(during, 50));
    out.put("p99_ms_during_swap", ms(during, 99));
    out.put("p99_ms_outside_swap", ms(outside, 99));
    out.put("p99_during_over_outside", ms(during, 99) / ms(outside, 99));
    out.put("load_ms", loadMs);
    out.put("requests_overlapping_a_load", duringLoad.getTotalCount());
    out.put("p99_ms_during_load", ms(duringLoad, 99));
    out.put("p99_ms_outside_load", ms(outsideLoad, 99));
    out.put("p99_during_load_over_outside", ms(duringLoad, 99) / ms(outsideLoad, 99));
    out.put("errors", result[0].errors());
    System.out.println();
    System.out.printf(
        "swaps at %d clients: %d versions, publish-to-served %s ms; %d requests overlapped a swap:"
            + " p50 %.2f ms, p99 %.2f ms; p99 of the others %.2f ms (ratio %.2f); %.0f requests/s%n",
        clients,
        windows.size(),
        swapMs.stream().map(d -> String.format("%.0f", d)).toList(),
        during.getTotalCount(),
        ms(during, 50),
        ms(during, 99),
        ms(outside, 99),
        ms(during, 99) / ms(outside, 99),
        result[0].throughput());
    System.out.printf(
        "the service's own part of each swap (verify, decode, warm: %s ms): %d requests"
            + " overlapped it: p99 %.2f ms; p99 of the others %.2f ms (ratio %.2f)%n",
        loadMs.stream().map(d -> String.format("%.0f", d)).toList(),
        duringLoad.getTotalCount(),
        ms(duringLoad, 99),
        ms(outsideLoad, 99),
        ms(duringLoad, 99) / ms(outsideLoad, 99));
    return out;
  }

  private static boolean overlaps(HttpLoad.Sample sample, List<long[]> windows) {
    for (long[] w : windows) {
      if (sample.startNanos() <= w[1] && sample.endNanos() >= w[0]) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> row(HttpLoad.Result result, Histogram h) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("clients", result.clients());
    row.put("requests", result.samples().size());
    row.put("requests_per_second", result.throughput());
    row.put("p50_ms", ms(h, 50));
    row.put("p99_ms", ms(h, 99));
    row.put("p999_ms", ms(h, 99.9));
    row.put("max_ms", h.getMaxValue() / 1000.0);
    row.put("errors", result.errors());
    return row;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static void requireNoErrors(HttpLoad.Result result) {
    if (result.errors() > 0) {
      throw new IllegalStateException(
          result.errors()
              + " requests failed at "
              + result.clients()
              + " clients, first: "
              + result.firstError());
    }
  }

  /** v1 learns 10,000 samples; each later version 1,000 more. */
  private static List<ModelSnapshot> train(LabeledSet train, int bufferSize, int count) {
    List<ModelSnapshot> versions = new ArrayList<>();
    try (AnalyticLearner learner =
        new AnalyticLearner(AnalyticSettings.defaults(7L, 784).withBufferSize(bufferSize))) {
      int next = 0;
      for (int v = 1; v <= count; v++) {
        int size = v == 1 ? 10_000 : 1_000;
        int[] indices = IntStream.range(next, next + size).toArray();
        LabeledSet part = train.select(indices);
        List<String> ids = IntStream.range(next, next + size).mapToObj(i -> "s" + i).toList();
        learner.learn("all", ids, part.features(), part.labels());
        next += size;
        versions.add(
            AnalyticSnapshots.encode(
                learner,
                new SnapshotHeader(MODEL, v, v == 1 ? null : v - 1L, Instant.now(), List.of())));
      }
    }
    return versions;
  }

  /** Request bodies of {@code batch} test images each. */
  private static List<byte[]> bodies(LabeledSet test, int batch, int count) {
    List<byte[]> bodies = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode instances = body.putArray("instances");
      for (int i = 0; i < batch; i++) {
        ArrayNode features = instances.addObject().putArray("features");
        for (float v : test.features()[(b * batch + i) % test.size()]) {
          features.add(v);
        }
      }
      bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
    }
    return bodies;
  }

  private static void createModelsTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1)
                      .configs(
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT,
                              TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                              String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES)))))
          .all()
          .get();
    }
  }

  private static KafkaProducer<String, ModelSnapshot> producer(
      EmbeddedKafka kafka, SchemaRegistryClient registry) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(
        props, new StringSerializer(), new SpecificAvroSerializer<>(registry, true, false));
  }

  private static void publish(
      KafkaProducer<String, ModelSnapshot> producer, String topic, ModelSnapshot snapshot) {
    try {
      producer.send(new ProducerRecord<>(topic, snapshot.getModel(), snapshot)).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not publish " + snapshot.getVersion(), e);
    }
  }

  /** One client for the polls, kept alive between them. */
  private static final HttpClient POLLS = HttpClient.newHttpClient();

  /** How often {@link #waitForVersion} asks: rarely enough not to load the service itself. */
  private static final long POLL_NANOS = 20_000_000;

  /**
   * Polls GET /v1/models/{model} until it reports {@code version}.
   *
   * @return when the service swapped that version in (its {@code loaded_at})
   */
  private static Instant waitForVersion(String base, long version, Duration bound)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          POLLS.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/models/" + MODEL)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        JsonNode model = JSON.readTree(response.body());
        if (model.get("version").asLong() >= version) {
          return Instant.parse(model.get("loaded_at").asText());
        }
      }
      waitNanos(POLL_NANOS);
    }
    throw new IllegalStateException("version " + version + " not served within " + bound);
  }

  /** The service's {@code lethe_serving_snapshot_load_seconds} sum for the benchmark's model. */
  private static double loadSecondsSum(String base) throws IOException, InterruptedException {
    String prefix = "lethe_serving_snapshot_load_seconds_sum{model=\"" + MODEL + "\"}";
    String metrics =
        POLLS
            .send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  /** The {@link System#nanoTime()} of a wall-clock instant of this JVM's clock. */
  private static long nanoTimeAt(Instant instant) {
    Instant now = Instant.now();
    long nanoNow = System.nanoTime();
    return nanoNow - Duration.between(instant, now).toNanos();
  }

  private static void waitNanos(long nanos) {
    java.util.concurrent.locks.LockSupport.parkNanos(nanos);
  }
}
