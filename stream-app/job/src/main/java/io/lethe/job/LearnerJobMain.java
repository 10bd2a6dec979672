package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.config.Durations;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.PackedVectorSerializer;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.OutputSerializer;
import io.lethe.job.kafka.RawRecordDeserializer;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.learner.Heartbeats;
import io.lethe.job.learner.LearnerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Runs the learner job against Kafka: {@code lethe job --catalog FILE --bootstrap HOST:PORT
 * --registry URL [--parallelism N] [--checkpoint-interval 2s] [--micro-batch N] [--rest-port N]
 * [--heartbeat-interval 2s]}. In local mode (the default) the job runs on a Flink MiniCluster with
 * its web dashboard.
 */
public final class LearnerJobMain {
  /** The job's name on the dashboard. */
  public static final String JOB_NAME = "lethe-learner";

  private LearnerJobMain() {}

  /**
   * Parses the options, starts the job and waits for it; with {@code --cluster HOST:PORT}, submits
   * the job jar to that Flink cluster instead and returns ({@link JobSubmission}).
   */
  public static void main(String[] args) throws Exception {
    if (java.util.Arrays.asList(args).contains(JobSubmission.CLUSTER)) {
      System.exit(JobSubmission.run(args, System.out, System.err));
      return;
    }
    JobSettings settings;
    ModelCatalog catalog;
    try {
      settings = parse(args);
      catalog = ModelCatalog.load(settings.catalog());
      CatalogLearners.validate(catalog);
    } catch (IllegalArgumentException e) {
      System.err.println("lethe job: " + e.getMessage());
      System.err.println(
          "usage: lethe job --catalog FILE --bootstrap HOST:PORT --registry URL [--parallelism N]"
              + " [--checkpoint-interval 2s] [--checkpoint-dir DIR] [--micro-batch N]"
              + " [--tombstone-retention 7d] [--request-id-retention 7d] [--rest-port N]"
              + " [--heartbeat-interval 2s]");
      System.err.println(
          "       lethe job --cluster HOST:PORT --catalog FILE --bootstrap HOST:PORT --registry URL"
              + " [--savepoint PATH] [--job-jar FILE] [same job options]");
      System.exit(2);
      return;
    }
    StreamExecutionEnvironment env = localEnvironment(settings);
    JobClient job = start(env, settings, catalog, new CatalogLearners());
    System.out.println(
        "lethe job: running "
            + catalog.models().size()
            + " models; dashboard at http://localhost:"
            + settings.restPort());
    job.getJobExecutionResult().get();
  }

  /** A local MiniCluster environment with the web dashboard on {@code settings.restPort()}. */
  public static StreamExecutionEnvironment localEnvironment(JobSettings settings) {
    Configuration conf = jobConfiguration(settings, true);
    conf.set(RestOptions.BIND_PORT, String.valueOf(settings.restPort()));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    env.setParallelism(settings.parallelism());
    return env;
  }

  /**
   * The job's own configuration, the same locally and on a cluster: RocksDB with incremental
   * checkpoints to a file system, fixed-delay restarts.
   *
   * <p>RocksDB stores its files uncompressed. The ledger's values are mostly sample features,
   * written once and read only by an erasure, and packed once when they are put ({@link
   * PackedVectorSerializer}: about 1 KB for a Fashion-MNIST image instead of 3 KB of float32). With
   * RocksDB's default Snappy every flush and compaction compressed them again, which cost several
   * times the CPU of RocksDB without it in {@code lethe bench-job}, on machines where the learner
   * needs every core (docs/benchmarks.md#settings-chosen-by-measurement). The price is disk space.
   * Level 0 is compacted less often than RocksDB's default ({@link Level0CompactionOptions}).
   *
   * @param withCheckpointDirectory whether to set {@code settings.checkpointDirectory()}; on a
   *     cluster the cluster's {@code execution.checkpointing.dir} applies unless {@code
   *     --checkpoint-dir} is given
   */
  static Configuration jobConfiguration(JobSettings settings, boolean withCheckpointDirectory) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString("state.backend.rocksdb.compression.per.level", "NO_COMPRESSION");
    conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
    conf.setString(
        "state.backend.rocksdb.options-factory", Level0CompactionOptions.class.getName());
    conf.setString("execution.checkpointing.storage", "filesystem");
    if (withCheckpointDirectory) {
      conf.setString(
          "execution.checkpointing.dir",
          settings.checkpointDirectory().toAbsolutePath().toUri().toString());
    }
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "20");
    conf.setString("restart-strategy.fixed-delay.delay", "1 s");
    return conf;
  }

  /**
   * Creates the topics if missing, builds the job on {@code env} with Kafka sources and an
   * exactly-once Kafka sink, and submits it.
   */
  public static JobClient start(
      StreamExecutionEnvironment env,
      JobSettings settings,
      ModelCatalog catalog,
      LearnerFactory learners)
      throws Exception {
    TopicSetup.ensureTopics(
        settings.bootstrapServers(), settings.topics(), Math.max(2, settings.parallelism()));
    env.enableCheckpointing(
        settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(settings.parallelism());

    DataStream<RawRecord> samples =
        env.fromSource(
                kafkaSource(settings, settings.topics().samples()),
                WatermarkStrategy.noWatermarks(),
                "Samples")
            .uid("samples-source");
    DataStream<RawRecord> erasures =
        env.fromSource(
                kafkaSource(settings, settings.topics().erasures()),
                WatermarkStrategy.noWatermarks(),
                "Erasures")
            .uid("erasures-source");
    DataStream<KafkaOut> outputs =
        LearnerJob.build(
            samples,
            erasures,
            catalog,
            learners,
            settings.registryUrl(),
            settings.microBatchSize(),
            settings.tombstoneRetention(),
            settings.requestIdRetention(),
            new Heartbeats(settings.heartbeatInterval(), settings.checkpointInterval()));
    outputs.sinkTo(kafkaSink(settings)).name("KafkaOutputs").uid("kafka-outputs");
    return env.executeAsync(JOB_NAME);
  }

  private static KafkaSource<RawRecord> kafkaSource(JobSettings settings, String topic) {
    return KafkaSource.<RawRecord>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setTopics(topic)
        .setGroupId(settings.transactionalIdPrefix() + "-" + topic)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new RawRecordDeserializer())
        // Only committed input: the ingress writes with exactly-once transactions.
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .setProperty("partition.discovery.interval.ms", "10000")
        .build();
  }

  private static KafkaSink<KafkaOut> kafkaSink(JobSettings settings) {
    Properties producer = new Properties();
    // Below the broker's transaction.max.timeout.ms (15 minutes by default).
    producer.setProperty(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        String.valueOf(Duration.ofMinutes(10).toMillis()));
    producer.setProperty(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(TopicSetup.MAX_SNAPSHOT_BYTES));
    producer.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return KafkaSink.<KafkaOut>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setRecordSerializer(new OutputSerializer(settings.registryUrl(), settings.topics()))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(settings.transactionalIdPrefix())
        .setKafkaProducerConfig(producer)
        .build();
  }

  /** Parses the command line; errors name the option. */
  static JobSettings parse(String[] args) {
    Deque<String> rest = new ArrayDeque<>(java.util.List.of(args));
    Path catalog = null;
    String bootstrap = null;
    String registry = null;
    JobSettings defaults = JobSettings.defaults(Path.of("-"), "-", "-");
    int parallelism = defaults.parallelism();
    Duration checkpoint = defaults.checkpointInterval();
    int microBatch = defaults.microBatchSize();
    Duration retention = defaults.tombstoneRetention();
    Duration requestIdRetention = defaults.requestIdRetention();
    int restPort = defaults.restPort();
    Path checkpointDir = defaults.checkpointDirectory();
    Duration heartbeat = defaults.heartbeatInterval();
    while (!rest.isEmpty()) {
      String option = rest.pop();
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = rest.pop();
      switch (option) {
        case "--catalog" -> catalog = Path.of(value);
        case "--bootstrap" -> bootstrap = value;
        case "--registry" -> registry = value;
        case "--parallelism" -> parallelism = integer(option, value);
        case "--checkpoint-interval" -> checkpoint = Durations.parseOption(option, value);
        case "--micro-batch" -> microBatch = integer(option, value);
        case "--tombstone-retention" -> retention = Durations.parseOption(option, value);
        case "--request-id-retention" -> requestIdRetention = Durations.parseOption(option, value);
        case "--rest-port" -> restPort = integer(option, value);
        case "--checkpoint-dir" -> checkpointDir = Path.of(value);
        case "--heartbeat-interval" -> heartbeat = Durations.parseOption(option, value);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (catalog == null) {
      throw new IllegalArgumentException("--catalog is required");
    }
    return new JobSettings(
        catalog,
        bootstrap,
        registry,
        defaults.topics(),
        parallelism,
        checkpoint,
        microBatch,
        retention,
        requestIdRetention,
        restPort,
        defaults.transactionalIdPrefix(),
        checkpointDir,
        heartbeat);
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " is '" + value + "', expected an integer");
    }
  }
}
