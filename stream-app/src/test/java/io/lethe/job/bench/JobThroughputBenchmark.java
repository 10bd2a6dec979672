package io.lethe.job.bench;

import io.lethe.catalog.ModelCatalog;
import io.lethe.config.Durations;
import io.lethe.job.JobSettings;
import io.lethe.job.LearnerJobMain;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.registry.embedded.EmbeddedSchemaRegistry;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.InJvmKafka;
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
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * End-to-end throughput of the learner job for one analytic model: samples already on {@code
 * lethe.samples} to the first committed snapshot that has learned all of them, at each requested
 * parallelism, against the learner's own speed on the same samples measured in the same run.
 *
 * <p>{@code ./lethe bench-job [--samples N] [--buffer-size N] [--parallelism 1,2]
 * [--checkpoint-interval 1s]}; prints a markdown table for docs/benchmarks.md. The job time
 * includes its start (DJL engine load, source assignment) and the wait for the checkpoint that
 * commits the snapshot, so it is a lower bound on the job's sustained rate.
 */
public final class JobThroughputBenchmark {
  private JobThroughputBenchmark() {}

  /** Runs the benchmark; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    int samples = Integer.parseInt(options.getOrDefault("--samples", "12000"));
    int bufferSize = Integer.parseInt(options.getOrDefault("--buffer-size", "2048"));
    Duration checkpointInterval =
        Durations.parseOption(
            "--checkpoint-interval", options.getOrDefault("--checkpoint-interval", "1s"));
    List<Integer> parallelisms = new ArrayList<>();
    for (String p : options.getOrDefault("--parallelism", "1,2").split(",")) {
      parallelisms.add(Integer.parseInt(p.trim()));
    }

    List<TrainingSample> stream = load(samples);
    double learnerRate = learnerAlone(stream, bufferSize);
    System.out.printf("learner alone: %.0f samples/s%n", learnerRate);

    Path dir = Files.createTempDirectory("lethe-bench-job");
    try (InJvmKafka kafka = InJvmKafka.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.url())) {
      LetheTopics topics = LetheTopics.create(TopicNames.defaults(), client);
      Path catalogFile =
          Files.writeString(
              dir.resolve("catalog.yaml"),
              """
              datasets:
                - {name: fashion-mnist, features: 784, classes: 10}
              models:
                - name: bench-analytic
                  learner: analytic
                  dataset: fashion-mnist
                  snapshot: {every-samples: %d, interval: 10m, after-erasure: 1s}
                  settings: {buffer-size: %d, gamma: 0.1, seed: 7}
              """
                  .formatted(samples, bufferSize));
      ModelCatalog catalog = ModelCatalog.load(catalogFile);
      JobSettings base =
          JobSettings.defaults(catalogFile, kafka.bootstrapServers(), registry.url())
              .withRestPort(0)
              .withCheckpointInterval(checkpointInterval);
      TopicSetup.ensureTopics(kafka.bootstrapServers(), TopicNames.defaults(), 2);
      produce(kafka.bootstrapServers(), topics, stream);

      StringBuilder table = new StringBuilder();
      table.append(
          "| parallelism | samples | job seconds | job samples/s | learner alone samples/s |"
              + " job / learner |\n| --- | --- | --- | --- | --- | --- |\n");
      for (int parallelism : parallelisms) {
        JobSettings settings =
            new JobSettings(
                catalogFile,
                kafka.bootstrapServers(),
                registry.url(),
                TopicNames.defaults(),
                parallelism,
                base.checkpointInterval(),
                base.microBatchSize(),
                base.tombstoneRetention(),
                0,
                "bench-p" + parallelism + "-" + UUID.randomUUID().toString().substring(0, 6),
                dir.resolve("checkpoints-p" + parallelism));
        double seconds = runJob(settings, catalog, topics, samples, kafka.bootstrapServers());
        double rate = samples / seconds;
        table.append(
            String.format(
                "| %d | %d | %.1f | %.0f | %.0f | %.2f |%n",
                parallelism, samples, seconds, rate, learnerRate, rate / learnerRate));
      }
      System.out.println();
      System.out.println(
          "d_E "
              + bufferSize
              + ", micro-batch "
              + base.microBatchSize()
              + ", checkpoints every "
              + checkpointInterval);
      System.out.print(table);
    }
  }

  private static double runJob(
      JobSettings settings, ModelCatalog catalog, LetheTopics topics, int samples, String bootstrap)
      throws Exception {
    Instant started = Instant.now();
    JobClient job =
        LearnerJobMain.start(
            LearnerJobMain.localEnvironment(settings), settings, catalog, new CatalogLearners());
    try {
      Await.until(
          "the job to run",
          Duration.ofMinutes(2),
          () -> job.getJobStatus().get() == JobStatus.RUNNING);
      Instant running = Instant.now();
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.models().name()));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            ModelSnapshot snapshot =
                topics
                    .models()
                    .valueSerde()
                    .deserializer()
                    .deserialize(record.topic(), record.value());
            long learned =
                snapshot.getLineage().getSamplesPerTask().stream()
                    .mapToLong(TaskSamples::getSamples)
                    .sum();
            if (learned >= samples) {
              double seconds = Duration.between(running, Instant.now()).toMillis() / 1000.0;
              System.out.printf(
                  "parallelism %d: %d samples in %.1f s after RUNNING (%.1f s after submission)%n",
                  settings.parallelism(),
                  learned,
                  seconds,
                  Duration.between(started, Instant.now()).toMillis() / 1000.0);
              return seconds;
            }
          }
        }
      }
      throw new IllegalStateException("no snapshot with all " + samples + " samples in 10 minutes");
    } finally {
      job.cancel().get();
    }
  }

  private static List<TrainingSample> load(int count) {
    LabeledSet train = FashionMnist.load().train();
    List<TrainingSample> samples = new ArrayList<>(count);
    for (int i = 0; i < count && i < train.size(); i++) {
      List<Float> features = new ArrayList<>(784);
      for (float v : train.features()[i]) {
        features.add(v);
      }
      int label = train.labels()[i];
      samples.add(
          TrainingSample.newBuilder()
              .setSampleId("s-" + i)
              .setSubjectId("u-" + i % 1000)
              .setDataset("fashion-mnist")
              .setTask(String.valueOf(label / 2))
              .setFeatures(features)
              .setLabel(label)
              .setEventTime(Instant.ofEpochMilli(i))
              .setAttributes(null)
              .build());
    }
    return samples;
  }

  /** The learner's own rate on the same samples, in micro-batches of the job's default size. */
  private static double learnerAlone(List<TrainingSample> stream, int bufferSize) {
    AnalyticSettings settings = AnalyticSettings.defaults(7, 784).withBufferSize(bufferSize);
    int batch = 256;
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      long start = System.nanoTime();
      for (int from = 0; from < stream.size(); from += batch) {
        Map<String, List<TrainingSample>> byTask = new LinkedHashMap<>();
        for (TrainingSample s : stream.subList(from, Math.min(stream.size(), from + batch))) {
          byTask.computeIfAbsent(s.getTask(), t -> new ArrayList<>()).add(s);
        }
        byTask.forEach(
            (task, rows) -> {
              float[][] x = new float[rows.size()][784];
              int[] y = new int[rows.size()];
              List<String> ids = new ArrayList<>();
              for (int i = 0; i < rows.size(); i++) {
                List<Float> f = rows.get(i).getFeatures();
                for (int j = 0; j < 784; j++) {
                  x[i][j] = f.get(j);
                }
                y[i] = rows.get(i).getLabel();
                ids.add(rows.get(i).getSampleId());
              }
              learner.learn(task, ids, x, y);
            });
      }
      learner.weights(); // the job solves once for its snapshot too
      return stream.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static void produce(String bootstrap, LetheTopics topics, List<TrainingSample> stream) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            props,
            topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer())) {
      for (TrainingSample sample : stream) {
        producer.send(new ProducerRecord<>(topics.samples().name(), sample.getSubjectId(), sample));
      }
    }
  }
}
