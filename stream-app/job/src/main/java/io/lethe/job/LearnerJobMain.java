package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.KafkaOptions;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.PackedVectorSerializer;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.OutputSerializer;
import io.lethe.job.kafka.RawRecordDeserializer;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.learner.Heartbeats;
import io.lethe.job.learner.LearnerFactory;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.job.rest.FlinkWebLockdown;
import io.lethe.schemas.snapshot.SnapshotSigner;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lethe job}: runs the learner job against Kafka. In local mode (the default) the job runs
 * on a Flink MiniCluster with its web dashboard; with {@code --cluster HOST:PORT} the job jar is
 * submitted to that Flink cluster instead ({@link JobSubmission}).
 */
@Command(
    name = "lethe job",
    description = {
      "Runs the Flink learner job on a local MiniCluster with its dashboard, or submits it to a"
          + " Flink cluster (--cluster).",
      "Durations are written 500ms, 30s, 10m, 1h or 7d."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the job finished, or was submitted",
      "1:the job failed, or the cluster refused it",
      "2:a bad command line, --config file or catalog"
    })
public final class LearnerJobMain implements Callable<Integer> {
  /** The job's name on the dashboard. */
  public static final String JOB_NAME = "lethe-learner";

  private static final Logger LOG = LoggerFactory.getLogger(LearnerJobMain.class);

  /** The address a local MiniCluster's listeners bind. */
  private static final String LOOPBACK = "127.0.0.1";

  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--catalog",
      required = true,
      paramLabel = "FILE",
      description = "Model catalog YAML (datasets and models).")
  Path catalog;

  @Mixin KafkaOptions kafka;
  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      converter = Values.Positive.class,
      description = "Parallelism of every operator (default 1).")
  Integer parallelism;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      description = "Checkpoint, and so output-commit, interval (default 2s).")
  Duration checkpointInterval;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description =
          "Where checkpoints are written (default: <tmp>/lethe-checkpoints; with --cluster, the"
              + " cluster's execution.checkpointing.dir).")
  Path checkpointDir;

  @Option(
      names = "--micro-batch",
      paramLabel = "N",
      converter = Values.Positive.class,
      description = "Samples each learner learns together (default 256).")
  Integer microBatch;

  @Option(
      names = "--tombstone-retention",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      description = "How long erased subjects and samples are remembered (default 7d).")
  Duration tombstoneRetention;

  @Option(
      names = "--request-id-retention",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      description = "How long an executed erasure request's id is remembered (default 7d).")
  Duration requestIdRetention;

  @Option(
      names = "--rest-port",
      paramLabel = "N",
      converter = Values.Port.class,
      description = "The local MiniCluster's dashboard port (default 8081, 0: any free port).")
  Integer restPort;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      description = "How often each model's heartbeat is published (default 2s, at most 5s).")
  Duration heartbeatInterval;

  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      description =
          "Sign every snapshot with this Ed25519 private key (PKCS#8 PEM, from `lethe keys"
              + " generate`); with --cluster, a path on the cluster's machines. Default: unsigned.")
  Path signingKey;

  @Option(
      names = JobSubmission.CLUSTER,
      paramLabel = "HOST:PORT",
      converter = JobSubmission.JobManagerAddress.class,
      description =
          "Submit the job to the Flink cluster whose JobManager's REST API is at this address"
              + " instead (Flink's client API; see --flink-conf-dir).")
  String cluster;

  @Option(
      names = JobSubmission.SAVEPOINT,
      paramLabel = "PATH",
      description = "With --cluster: start the job from this savepoint.")
  String savepoint;

  @Option(
      names = JobSubmission.FLINK_CONF_DIR,
      paramLabel = "DIR",
      description =
          "With --cluster: a Flink client configuration directory (its config.yaml, as"
              + " FLINK_CONF_DIR), e.g. the client certificate for a REST endpoint with mutual TLS.")
  Path flinkConfDir;

  @Option(
      names = JobSubmission.JOB_JAR,
      paramLabel = "FILE",
      description = "With --cluster: the job jar (default: the one mvn package built).")
  Path jobJar;

  private PrintStream out = System.out;
  private PrintStream err = System.err;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe job} with {@code args}: until the local job ends, or until the job is
   * submitted to a cluster.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return run(args, System.out, System.err);
  }

  /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    LearnerJobMain command = new LearnerJobMain();
    command.out = out;
    command.err = err;
    return Cli.run(command, args, out, err);
  }

  @Override
  public Integer call() throws Exception {
    if (cluster != null) {
      return JobSubmission.submit(this, out, err);
    }
    for (String option :
        new String[] {
          JobSubmission.SAVEPOINT, JobSubmission.JOB_JAR, JobSubmission.FLINK_CONF_DIR
        }) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new ParameterException(
            spec.commandLine(), "Option '" + option + "' needs '" + JobSubmission.CLUSTER + "'");
      }
    }
    JobSettings settings = settings();
    ModelCatalog catalog = loadCatalog(settings.catalog());
    checkSigningKey(settings);
    StreamExecutionEnvironment env = localEnvironment(settings);
    JobClient job = start(env, settings, catalog, new CatalogLearners());
    out.println(
        "lethe job: running "
            + catalog.models().size()
            + " models; dashboard at http://localhost:"
            + settings.restPort());
    job.getJobExecutionResult().get();
    return Cli.OK;
  }

  /**
   * The catalog, checked for the learners.
   *
   * @throws ParameterException naming the file and what is wrong with it
   */
  ModelCatalog loadCatalog(Path file) {
    try {
      ModelCatalog catalog = ModelCatalog.load(file);
      CatalogLearners.validate(catalog);
      return catalog;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), String.valueOf(e.getMessage()).strip().replace('\n', ' '));
    }
  }

  /**
   * Reads the signing key once here, so that a bad one fails the command rather than the job, and
   * warns when snapshots will not be signed.
   *
   * @throws ParameterException naming --signing-key and what is wrong with the file
   */
  void checkSigningKey(JobSettings settings) {
    if (settings.signingKey() == null) {
      LOG.warn(
          "snapshots are not signed: a model service with --trusted-keys refuses them (see"
              + " --signing-key)");
      return;
    }
    try {
      SnapshotSigner.fromFile(settings.signingKey());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ParameterException(spec.commandLine(), "--signing-key: " + e.getMessage());
    }
  }

  /**
   * The job's settings: {@link JobSettings#defaults} with the options given.
   *
   * @throws ParameterException naming the option of a setting that {@link JobSettings} refuses
   */
  JobSettings settings() {
    JobSettings defaults = JobSettings.defaults(catalog, kafka.bootstrap(), kafka.registry());
    try {
      return new JobSettings(
          catalog,
          kafka.bootstrap(),
          kafka.registry(),
          defaults.topics(),
          parallelism != null ? parallelism : defaults.parallelism(),
          checkpointInterval != null ? checkpointInterval : defaults.checkpointInterval(),
          microBatch != null ? microBatch : defaults.microBatchSize(),
          tombstoneRetention != null ? tombstoneRetention : defaults.tombstoneRetention(),
          requestIdRetention != null ? requestIdRetention : defaults.requestIdRetention(),
          restPort != null ? restPort : defaults.restPort(),
          defaults.transactionalIdPrefix(),
          checkpointDir != null ? checkpointDir : defaults.checkpointDirectory(),
          heartbeatInterval != null ? heartbeatInterval : defaults.heartbeatInterval(),
          signingKey,
          kafkaConfig.config());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * A local MiniCluster environment with the web dashboard on {@code settings.restPort()}. Its
   * listeners bind the loopback address, and its REST API refuses jar uploads, which would run any
   * code a caller sends, and cross-origin reads by other web pages ({@link FlinkWebLockdown}). It
   * still lets anyone on this machine cancel the job: {@link #localEnvironment(JobSettings,
   * FlinkRestTls, String)} does not.
   */
  public static StreamExecutionEnvironment localEnvironment(JobSettings settings) {
    return localEnvironment(settings, null, "http://localhost:" + settings.restPort());
  }

  /**
   * As {@link #localEnvironment(JobSettings)}, with mutual TLS on the REST endpoint: only a client
   * with a certificate that {@code restTls}'s truststore trusts can talk to it at all, so an
   * anonymous cancel fails. People watch the job through a {@link
   * io.lethe.job.rest.DashboardProxy}.
   *
   * @param restTls the server's key store and the truststore of client certificates, or null for no
   *     TLS
   * @param dashboardOrigin the only origin whose web pages may read the REST API (the dashboard
   *     proxy's)
   */
  public static StreamExecutionEnvironment localEnvironment(
      JobSettings settings, FlinkRestTls restTls, String dashboardOrigin) {
    return localEnvironment(settings, restTls, dashboardOrigin, Map.of());
  }

  /**
   * As {@link #localEnvironment(JobSettings, FlinkRestTls, String)}, with more Flink configuration
   * on top, e.g. a metrics reporter ({@code metrics.reporter.<name>.*}).
   */
  public static StreamExecutionEnvironment localEnvironment(
      JobSettings settings,
      FlinkRestTls restTls,
      String dashboardOrigin,
      Map<String, String> extraConfiguration) {
    Configuration conf = jobConfiguration(settings, true);
    extraConfiguration.forEach(conf::setString);
    conf.set(RestOptions.BIND_PORT, String.valueOf(settings.restPort()));
    conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
    conf.set(RestOptions.ADDRESS, LOOPBACK);
    conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
    conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
    conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
    conf.set(TaskManagerOptions.HOST, LOOPBACK);
    FlinkWebLockdown.options(dashboardOrigin).forEach(conf::setString);
    if (restTls != null) {
      restTls.applyTo(conf);
    }
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
        settings.bootstrapServers(),
        settings.clientConfig(),
        settings.topics(),
        Math.max(2, settings.parallelism()));
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
            settings.registry(),
            settings.microBatchSize(),
            settings.tombstoneRetention(),
            settings.requestIdRetention(),
            new Heartbeats(settings.heartbeatInterval(), settings.checkpointInterval()),
            settings.signingKey() == null ? null : settings.signingKey().toString());
    outputs.sinkTo(kafkaSink(settings)).name("KafkaOutputs").uid("kafka-outputs");
    return env.executeAsync(JOB_NAME);
  }

  /**
   * The Kafka source of {@code topic}: the {@code --kafka-config} properties, then the source's own
   * settings ({@link KafkaClientConfig#layer}).
   */
  private static KafkaSource<RawRecord> kafkaSource(JobSettings settings, String topic) {
    String groupId = settings.transactionalIdPrefix() + "-" + topic;
    Properties consumer =
        settings
            .clientConfig()
            .layerAsProperties(
                settings.bootstrapServers(),
                null,
                Map.of(
                    // Only committed input: the ingress writes with exactly-once transactions.
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed",
                    "partition.discovery.interval.ms",
                    "10000",
                    // Flink numbers each reader's client id after this prefix.
                    "client.id.prefix",
                    clientIdPrefix(settings, groupId)));
    LOG.info("Kafka source of {}: {}", topic, KafkaClientConfig.describe(consumer));
    return KafkaSource.<RawRecord>builder()
        .setProperties(consumer)
        .setBootstrapServers(settings.bootstrapServers())
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new RawRecordDeserializer())
        .build();
  }

  /** The file's {@code client.id}, a dash and {@code name}; {@code name} without one. */
  private static String clientIdPrefix(JobSettings settings, String name) {
    String prefix = settings.clientConfig().properties().get("client.id");
    return prefix == null || prefix.isEmpty() ? name : prefix + "-" + name;
  }

  /**
   * The exactly-once Kafka sink: the {@code --kafka-config} properties, then the sink's own
   * settings ({@link KafkaClientConfig#layer}); Flink names the transactional ids.
   */
  private static KafkaSink<KafkaOut> kafkaSink(JobSettings settings) {
    Properties producer =
        settings
            .clientConfig()
            .layerAsProperties(
                settings.bootstrapServers(),
                settings.transactionalIdPrefix(),
                Map.of(
                    // Below the broker's transaction.max.timeout.ms (15 minutes by default).
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    String.valueOf(Duration.ofMinutes(10).toMillis()),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    String.valueOf(TopicSetup.MAX_SNAPSHOT_BYTES),
                    ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    "lz4"));
    LOG.info("Kafka sink: {}", KafkaClientConfig.describe(producer));
    return KafkaSink.<KafkaOut>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setRecordSerializer(new OutputSerializer(settings.registry(), settings.topics()))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(settings.transactionalIdPrefix())
        .setKafkaProducerConfig(producer)
        .build();
  }

  /**
   * Parses {@code args} as {@code lethe job} does, without running anything.
   *
   * @throws ParameterException naming the option
   */
  static JobSettings parse(String... args) {
    return parsed(args).settings();
  }

  /** The command with {@code args} parsed into it. */
  static LearnerJobMain parsed(String... args) {
    LearnerJobMain command = new LearnerJobMain();
    Cli.parse(Cli.commandLine(command), args);
    return command;
  }
}
