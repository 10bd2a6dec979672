package io.lethe.job.bench;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.cli.Cli;
import io.lethe.cli.Progress;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.job.JobSettings;
import io.lethe.job.LearnerJobMain;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.local.kafka.EmbeddedKafka;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput of the learner job for one analytic model, at each requested parallelism, against the
 * learner's own speed on the same samples, measured in the same JVM right before each measured job
 * run. The samples are already on {@code lethe.samples}; the model publishes a snapshot every
 * quarter of them. A stream longer than Fashion-MNIST's 60,000 training rows goes through them
 * again under new ids, so that the measured window (half the stream) can lie well past the job's
 * start-up.
 *
 * <ul>
 *   <li>Sustained rate: samples between the first and the third snapshot divided by the time
 *       between their appearance on {@code lethe.models} (read uncommitted, i.e. when the job
 *       produced them). Start-up (engine load, source assignment) is outside it; two snapshot
 *       solves are inside it, as in a job that publishes.
 *   <li>Commit delay: from the third snapshot being produced to it being readable with {@code
 *       read_committed}, i.e. waiting for the next checkpoint (at most the checkpoint interval plus
 *       the checkpoint's own time).
 *   <li>Total: from the job reaching RUNNING to the committed third snapshot.
 *   <li>CPU per sample (Linux): each thread group's CPU time over the same window, from {@code
 *       /proc} ({@link ThreadCpu}), for the job and for the learner alone. It says where the
 *       engine's cost goes, and the ceiling: the rate both cores could sustain at that cost. With
 *       it, the bytes the process wrote per sample (files and sockets: RocksDB's flushes and
 *       compactions, the checkpoints' copies of its files, the in-JVM broker), which drive most of
 *       RocksDB's and the checkpoint's CPU.
 * </ul>
 *
 * <p>{@code ./lethe bench-job [--samples N] [--buffer-size N] [--parallelism 1,2]
 * [--checkpoint-interval 2s] [--micro-batch N] [--warmup-runs 3]}; prints a markdown table
 * (results: docs/benchmarks.md#learner-job). The learner alone runs once and the job (at the first
 * parallelism) three times unmeasured first, so that both are measured with a warm JVM: a fresh JVM
 * running Kafka, Flink and the job spends most of a core for about a minute compiling their code
 * paths. The learner alone then runs once learning only (no snapshots: the baseline this benchmark
 * used before, printed for comparison).
 */
@Command(
    name = "lethe bench-job",
    description = {
      "Throughput of the learner job for one analytic model at each parallelism, against the"
          + " learner's own speed on the same samples; prints markdown tables for"
          + " docs/benchmarks.md.",
      "Progress goes to standard error."
    })
public final class JobThroughputBenchmark implements Callable<Integer> {
  private static final String MODEL = "bench-analytic";

  @Mixin StandardOptions standard;

  @Option(
      names = "--samples",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "12000",
      description = "Samples in the stream (longer than Fashion-MNIST's 60,000: repeated).")
  int samples;

  @Option(
      names = "--buffer-size",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "2048",
      description = "d_E of the analytic model.")
  int bufferSize;

  @Option(
      names = "--micro-batch",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "256",
      description = "Samples the learner learns together.")
  int microBatch;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "2s",
      description = "The job's checkpoint interval.")
  Duration checkpointInterval;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      split = ",",
      converter = Values.Positive.class,
      defaultValue = "1,2",
      description = "Parallelisms to measure, one job run each.")
  List<Integer> parallelisms;

  @Option(
      names = "--shards",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "1",
      description =
          "Learner subtasks that share the model's samples (the catalog's shards; run at a"
              + " parallelism of at least N).")
  int shards;

  @Option(
      names = "--warmup-runs",
      paramLabel = "N",
      converter = WarmupRuns.class,
      defaultValue = "3",
      description = "Unmeasured job runs first, at the first parallelism.")
  int warmupRuns;

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
    return Cli.run(new JobThroughputBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    try (Progress progress = Progress.start("lethe bench-job")) {
      run(progress);
    }
    return Cli.OK;
  }

  /** 0 or more unmeasured runs. */
  static final class WarmupRuns extends Values.IntRange {
    WarmupRuns() {
      super(0, 100);
    }
  }

  private void run(Progress progress) throws Exception {
    progress.phase("loading Fashion-MNIST; the learner alone, twice");
    // kept as float[] rows; the Avro records (784 boxed floats each) are built while producing, so
    // the benchmark's own heap does not make the job's garbage collector work harder
    LabeledSet stream = FashionMnist.load().train();
    // warm-up: JIT and PyTorch's allocator, as the job gets below
    learnerAlone(stream, samples, bufferSize, true);
    System.out.printf(
        "learner alone, learning only (the baseline before the snapshots were added): %.0f"
            + " samples/s%n",
        learnerAlone(stream, samples, bufferSize, false).rate());
    // the launcher preloads it (learners/src/main/native/mkl_all_cpus.c); it changes the GEMM speed
    String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
    System.out.println(
        "oneMKL shim: "
            + (preload.contains("lethe-mkl-all-cpus") ? "preloaded" : "not preloaded")
            + " (LETHE_MKL_SHIM=0 turns it off)");

    progress.phase("starting the broker and the registry; producing " + samples + " samples");
    Path dir = Files.createTempDirectory("lethe-bench-job");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.url())) {
      LetheTopics topics = LetheTopics.create(TopicNames.defaults(), client);
      ModelCatalog catalog = catalog(samples, bufferSize, shards);
      Path catalogFile = catalog.write(dir.resolve("catalog.yaml"));
      JobSettings base =
          JobSettings.defaults(catalogFile, kafka.bootstrapServers(), registry.url())
              .withRestPort(0)
              .withCheckpointInterval(checkpointInterval);
      TopicSetup.ensureTopics(kafka.bootstrapServers(), TopicNames.defaults(), 2);
      produce(kafka.bootstrapServers(), topics, stream, samples);

      StringBuilder cpuTable = new StringBuilder();
      cpuTable.append("| run | ");
      ThreadCpu.GROUPS.forEach(g -> cpuTable.append(g).append(" | "));
      cpuTable.append(
          "total | outside the learner | machine idle | ceiling samples/s | KB written |\n|");
      cpuTable.append(" --- |".repeat(ThreadCpu.GROUPS.size() + 6)).append('\n');
      StringBuilder table = new StringBuilder();
      table.append(
          "| parallelism | samples | sustained samples/s | learner alone samples/s | job / learner"
              + " | commit delay s | total s |\n| --- | --- | --- | --- | --- | --- | --- |\n");
      // Unmeasured runs first: a fresh JVM spends most of a core for about a minute compiling
      // Flink's, Kafka's and RocksDB's code paths, which a long-running job pays once.
      List<Integer> runs = new ArrayList<>();
      for (int i = 0; i < warmupRuns; i++) {
        runs.add(-parallelisms.get(0));
      }
      runs.addAll(parallelisms);
      for (int run : runs) {
        int parallelism = Math.abs(run);
        boolean warmup = run < 0;
        JobSettings settings =
            new JobSettings(
                catalogFile,
                kafka.bootstrapServers(),
                registry.url(),
                TopicNames.defaults(),
                parallelism,
                base.checkpointInterval(),
                microBatch,
                base.tombstoneRetention(),
                base.requestIdRetention(),
                0,
                (warmup ? "bench-warmup-p" : "bench-p")
                    + parallelism
                    + "-"
                    + UUID.randomUUID().toString().substring(0, 6),
                dir.resolve("checkpoints-" + UUID.randomUUID()),
                base.heartbeatInterval(),
                base.signingKey(),
                base.clientConfig());
        if (warmup) {
          progress.phase("warm-up job run at parallelism " + parallelism + " (not measured)");
          runJob(settings, catalog, topics, samples, kafka.bootstrapServers());
          continue;
        }
        // The baseline right before each measured run: the machine's speed drifts over minutes
        // (other tenants), and a ratio of two measurements taken minutes apart would carry it.
        progress.phase(
            "the learner alone, then the measured job run at parallelism " + parallelism);
        Alone alone = learnerAlone(stream, samples, bufferSize, true);
        double learnerRate = alone.rate();
        System.out.printf("learner alone: %.0f samples/s%n", learnerRate);
        Run measured = runJob(settings, catalog, topics, samples, kafka.bootstrapServers());
        table.append(
            String.format(
                "| %d | %d | %.0f | %.0f | %.2f | %.1f | %.1f |%n",
                parallelism,
                samples,
                measured.sustainedRate(),
                learnerRate,
                measured.sustainedRate() / learnerRate,
                measured.commitDelaySeconds(),
                measured.totalSeconds()));
        if (measured.cpu() != null) {
          cpuTable.append(cpuRow("learner alone", alone.cpu()));
          cpuTable.append(cpuRow("job, parallelism " + parallelism, measured.cpu()));
        }
      }
      System.out.println();
      System.out.println(
          "d_E "
              + bufferSize
              + ", "
              + shards
              + " shard(s), micro-batch "
              + microBatch
              + ", checkpoints every "
              + checkpointInterval
              + ", after "
              + warmupRuns
              + " unmeasured job runs");
      System.out.print(table);
      if (ThreadCpu.available()) {
        System.out.println();
        System.out.println(
            "CPU per sample in the measured window, µs of one core by thread group, and KB the"
                + " process wrote per sample (/proc):");
        System.out.print(cpuTable);
      }
    } finally {
      // the catalog and the checkpoint directories (empty once their jobs end), after the broker
      FileUtils.deleteDirectoryQuietly(dir.toFile());
    }
  }

  /** Waits until {@code job} runs, polling its status every 50 ms, for at most {@code bound}. */
  private static void awaitRunning(JobClient job, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (job.getJobStatus().get() != JobStatus.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not start running within " + bound);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static String cpuRow(String run, ThreadCpu.Usage usage) {
    StringBuilder row = new StringBuilder("| ").append(run).append(" | ");
    usage.microsPerSample().values().forEach(us -> row.append(String.format("%.0f | ", us)));
    // the rate all cores could sustain at this CPU per sample if nothing else ran and none idled
    double ceiling = Runtime.getRuntime().availableProcessors() * 1e6 / usage.total();
    return row.append(
            String.format(
                "%.0f | %.0f | %.0f%% | %.0f | %.1f |%n",
                usage.total(),
                usage.total() - usage.microsPerSample().get("learner"),
                100 * usage.machineIdleShare(),
                ceiling,
                usage.bytesWrittenPerSample() / 1000))
        .toString();
  }

  /** The learner alone: its rate and, on Linux, its CPU per sample (null elsewhere). */
  private record Alone(double rate, ThreadCpu.Usage cpu) {}

  /**
   * One job run: see the class comment. {@code cpu} covers the same window as the sustained rate
   * (null where {@code /proc} is not available).
   */
  private record Run(
      double sustainedRate, double commitDelaySeconds, double totalSeconds, ThreadCpu.Usage cpu) {}

  private static Run runJob(
      JobSettings settings, ModelCatalog catalog, LetheTopics topics, int samples, String bootstrap)
      throws Exception {
    try (KafkaConsumer<String, byte[]> produced =
            snapshotReader(bootstrap, topics, "read_uncommitted");
        KafkaConsumer<String, byte[]> committed =
            snapshotReader(bootstrap, topics, "read_committed")) {
      JobClient job =
          LearnerJobMain.start(
              LearnerJobMain.localEnvironment(settings), settings, catalog, new CatalogLearners());
      try {
        awaitRunning(job, Duration.ofMinutes(2));
        long running = System.nanoTime();
        long deadline = running + Duration.ofMinutes(10).toNanos();
        // (learned samples, nanoTime produced) of the first three snapshots, at about N/4, N/2,
        // 3N/4 (each at the first micro-batch boundary past its threshold)
        List<long[]> producedAt = new ArrayList<>();
        List<ThreadCpu.Reading> cpuAt = new ArrayList<>();
        long thirdVersion = -1;
        while (System.nanoTime() < deadline) {
          if (producedAt.size() < 3) {
            for (ConsumerRecord<String, byte[]> record : produced.poll(Duration.ofMillis(20))) {
              ModelSnapshot snapshot = decode(topics, record);
              long learned = learned(snapshot);
              producedAt.add(new long[] {learned, System.nanoTime()});
              if (ThreadCpu.available()) {
                cpuAt.add(ThreadCpu.read());
              }
              System.out.printf(
                  "snapshot v%d produced: %d samples learned, %.1f s after RUNNING%n",
                  snapshot.getVersion(), learned, (System.nanoTime() - running) / 1e9);
              if (producedAt.size() == 3) {
                thirdVersion = snapshot.getVersion();
                break;
              }
            }
          }
          for (ConsumerRecord<String, byte[]> record : committed.poll(Duration.ofMillis(20))) {
            if (thirdVersion >= 0 && decode(topics, record).getVersion() == thirdVersion) {
              long now = System.nanoTime();
              long[] first = producedAt.get(0);
              long[] third = producedAt.get(2);
              Run run =
                  new Run(
                      (third[0] - first[0]) / ((third[1] - first[1]) / 1e9),
                      (now - third[1]) / 1e9,
                      (now - running) / 1e9,
                      cpuAt.isEmpty()
                          ? null
                          : cpuAt.get(2).since(cpuAt.get(0), third[0] - first[0]));
              System.out.printf("parallelism %d: %s%n", settings.parallelism(), run);
              return run;
            }
          }
        }
        throw new IllegalStateException("fewer than three snapshots committed in 10 minutes");
      } finally {
        job.cancel().get();
      }
    }
  }

  private static KafkaConsumer<String, byte[]> snapshotReader(
      String bootstrap, LetheTopics topics, String isolation) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicNames.MAX_SNAPSHOT_BYTES);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    // assigned and positioned at the end now, before the job can produce anything
    List<TopicPartition> partitions =
        consumer.partitionsFor(topics.models().name()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return consumer;
  }

  private static ModelSnapshot decode(LetheTopics topics, ConsumerRecord<String, byte[]> record) {
    return topics.models().valueSerde().deserializer().deserialize(record.topic(), record.value());
  }

  private static long learned(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream()
        .mapToLong(TaskSamples::getSamples)
        .sum();
  }

  /** Sample i of the benchmark's stream: all five tasks interleaved, 1,000 subjects. */
  private static TrainingSample sample(LabeledSet train, int i) {
    List<Float> features = new ArrayList<>(row(train, i).length);
    for (float v : row(train, i)) {
      features.add(v);
    }
    return TrainingSample.newBuilder()
        .setSampleId("s-" + i)
        .setSubjectId("u-" + i % 1000)
        .setDataset("fashion-mnist")
        .setTask(task(train, i))
        .setFeatures(features)
        .setLabel(label(train, i))
        .setEventTime(Instant.ofEpochMilli(i))
        .setAttributes(null)
        .build();
  }

  private static String task(LabeledSet train, int i) {
    return String.valueOf(label(train, i) / 2);
  }

  // Sample i is training row i modulo the set's size: a stream longer than Fashion-MNIST's 60,000
  // rows goes through them again, under new ids.
  private static float[] row(LabeledSet train, int i) {
    return train.features()[i % train.size()];
  }

  private static int label(LabeledSet train, int i) {
    return train.labels()[i % train.size()];
  }

  /**
   * The learner's own rate on the same samples, in micro-batches of the job's default size, with
   * {@code snapshots} building and encoding a snapshot at the job's points (every quarter of the
   * samples, as the benchmark's catalog says), or else only solving once at the end. It runs on a
   * thread named like the job's learner task, so that its oneMKL threads, which take their name
   * from it, count as the learner's in the CPU table.
   */
  private static Alone learnerAlone(
      LabeledSet train, int samples, int bufferSize, boolean snapshots) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "Learner alone"));
    try {
      return thread.submit(() -> learnAlone(train, samples, bufferSize, snapshots)).get();
    } finally {
      thread.shutdown();
    }
  }

  /**
   * The benchmark's catalog: one analytic model on Fashion-MNIST in {@code shards} learner
   * subtasks, snapshots every quarter (every eighth when sharded).
   */
  private static ModelCatalog catalog(int samples, int bufferSize, int shards) {
    return ModelCatalog.of(
        List.of(new DatasetSpec("fashion-mnist", FashionMnist.FEATURES, FashionMnist.CLASSES)),
        List.of(
            ModelSpec.of(MODEL, LearnerKind.ANALYTIC, "fashion-mnist")
                .withSnapshot(
                    new SnapshotPolicy(
                        // a sharded model publishes at checkpoints, past every-samples by up to
                        // a checkpoint's samples: an eighth leaves room for three snapshots
                        shards > 1 ? samples / 8 : samples / 4,
                        Duration.ofMinutes(10),
                        Duration.ofSeconds(1)))
                .with(AnalyticSettings.BUFFER_SIZE, bufferSize)
                .with(AnalyticSettings.GAMMA, 0.1)
                .with(AnalyticSettings.SEED, 7L)
                .withShards(shards)));
  }

  private static Alone learnAlone(
      LabeledSet train, int samples, int bufferSize, boolean snapshots) {
    AnalyticSettings settings =
        CatalogLearners.analyticSettings(catalog(samples, bufferSize, 1), MODEL);
    int batch = 256;
    int snapshotEvery = samples / 4; // the catalog's every-samples
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      ThreadCpu.Reading before = ThreadCpu.available() ? ThreadCpu.read() : null;
      long start = System.nanoTime();
      long version = 0;
      int sinceSnapshot = 0;
      for (int from = 0; from < samples; from += batch) {
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        for (int i = from; i < Math.min(samples, from + batch); i++) {
          byTask.computeIfAbsent(task(train, i), t -> new ArrayList<>()).add(i);
        }
        byTask.forEach(
            (task, rows) -> {
              float[][] x = new float[rows.size()][];
              int[] y = new int[rows.size()];
              List<String> ids = new ArrayList<>();
              for (int j = 0; j < rows.size(); j++) {
                x[j] = row(train, rows.get(j));
                y[j] = label(train, rows.get(j));
                ids.add("s-" + rows.get(j));
              }
              learner.learn(task, ids, x, y);
            });
        sinceSnapshot += Math.min(batch, samples - from);
        boolean last = from + batch >= samples;
        if (snapshots && (sinceSnapshot >= snapshotEvery || last)) {
          // what the job's learner operator does when the policy says so: solve, encode
          version++;
          SnapshotHeader header =
              new SnapshotHeader(
                  MODEL, version, version == 1 ? null : version - 1, Instant.now(), List.of());
          AvroBytes.encode(AnalyticSnapshots.encode(learner, header));
          sinceSnapshot = 0;
        } else if (last) {
          learner.weights(); // at least the solve that a published model needs
        }
      }
      double rate = samples / ((System.nanoTime() - start) / 1e9);
      return new Alone(rate, before == null ? null : ThreadCpu.read().since(before, samples));
    }
  }

  private static void produce(String bootstrap, LetheTopics topics, LabeledSet train, int count) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            props,
            topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer())) {
      for (int i = 0; i < count; i++) {
        TrainingSample sample = sample(train, i);
        producer.send(new ProducerRecord<>(topics.samples().name(), sample.getSubjectId(), sample));
      }
    }
  }
}
