package io.lethe.job;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.config.Durations;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.schemas.topics.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one run of the learner job, validated at start-up; each error names the command-line
 * option. The settings with a default are declared once in {@link #SETTINGS}; the option of each is
 * {@code --} and its key ({@link SettingDef#cliOption()}).
 *
 * @param catalog the model catalog file ({@code --catalog})
 * @param bootstrapServers Kafka bootstrap address ({@code --bootstrap})
 * @param registryUrl schema registry URL ({@code --registry})
 * @param topics topic names (the defaults unless a caller overrides them)
 * @param parallelism parallelism of every operator ({@code --parallelism}, default 1)
 * @param checkpointInterval checkpoint and so output-commit interval ({@code
 *     --checkpoint-interval}, default 2s): outputs become visible to read_committed readers at
 *     checkpoints
 * @param microBatchSize samples each learner learns together ({@code --micro-batch}, default 256)
 * @param tombstoneRetention how long erased subjects and samples are remembered ({@code
 *     --tombstone-retention}, default 7 days); must exceed the stream's maximum lateness
 * @param requestIdRetention how long an executed erasure request's id is remembered, so that a
 *     retry is not run again and a reuse with other content is refused ({@code
 *     --request-id-retention}, default 7 days, the ingress's receipt retention); after it the id is
 *     forgotten
 * @param restPort Flink web dashboard port in local mode ({@code --rest-port}, default 8081, 0 for
 *     any free port)
 * @param transactionalIdPrefix prefix of the exactly-once sink's transactional ids
 * @param checkpointDirectory where checkpoints are written ({@code --checkpoint-dir}, default
 *     {@code <tmp>/lethe-checkpoints}); the learners' state is far larger than the JobManager's
 *     in-memory checkpoint limit, so checkpoints always go to a file system
 * @param heartbeatInterval how often the learner publishes each model's heartbeat on the learner
 *     status topic ({@code --heartbeat-interval}, default 2s, at most {@link
 *     #MAX_HEARTBEAT_INTERVAL}); the model service reports a learner as not running once its newest
 *     heartbeat is about three intervals plus a checkpoint interval old
 * @param signingKey the Ed25519 private key (PKCS#8 PEM) that signs every snapshot ({@code
 *     --signing-key}, a path where the learner runs); null: snapshots are not signed
 * @param clientConfig Kafka client properties ({@code --kafka-config}: {@code security.protocol},
 *     {@code sasl.*}, {@code ssl.*}...) for the job's Kafka source, sink and admin client, and the
 *     schema registry's Confluent properties; read where the job is built, so no secret is a
 *     program argument; {@link KafkaClientConfig#none()} for none
 */
public record JobSettings(
    Path catalog,
    String bootstrapServers,
    String registryUrl,
    TopicNames topics,
    int parallelism,
    Duration checkpointInterval,
    int microBatchSize,
    Duration tombstoneRetention,
    Duration requestIdRetention,
    int restPort,
    String transactionalIdPrefix,
    Path checkpointDirectory,
    Duration heartbeatInterval,
    Path signingKey,
    KafkaClientConfig clientConfig) {

  /**
   * Longest heartbeat interval: three missed heartbeats must still be noticed well within the 30
   * seconds in which a stopped learner has to show up.
   */
  public static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /** Operator parallelism. */
  public static final SettingDef<Integer> PARALLELISM =
      SettingDef.integer("parallelism", 1, Bounds.atLeast(1), "parallelism of every operator");

  /** Checkpoint interval. */
  public static final SettingDef<Duration> CHECKPOINT_INTERVAL =
      Durations.setting(
          "checkpoint-interval",
          Duration.ofSeconds(2),
          "checkpoint interval; outputs become visible to read_committed readers at checkpoints");

  /** Micro-batch size. */
  public static final SettingDef<Integer> MICRO_BATCH =
      SettingDef.integer(
          "micro-batch", 256, Bounds.atLeast(1), "samples each learner learns together");

  /** Tombstone retention. */
  public static final SettingDef<Duration> TOMBSTONE_RETENTION =
      Durations.setting(
          "tombstone-retention",
          Duration.ofDays(7),
          "how long erased subjects and samples are remembered; must exceed the maximum lateness");

  /** Request id retention. */
  public static final SettingDef<Duration> REQUEST_ID_RETENTION =
      Durations.setting(
          "request-id-retention",
          Duration.ofDays(7),
          "how long an executed erasure request's id is remembered against retries and reuse");

  /** Dashboard port. */
  public static final SettingDef<Integer> REST_PORT =
      SettingDef.integer(
          "rest-port",
          8081,
          Bounds.closed(0, 65535),
          "Flink web dashboard port in local mode (0: any free port)");

  /** Heartbeat interval. */
  public static final SettingDef<Duration> HEARTBEAT_INTERVAL =
      Durations.setting(
          "heartbeat-interval",
          Duration.ofSeconds(2),
          "how often the learner publishes each model's heartbeat (at most 5s)");

  /** The job's settings that have a default, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          PARALLELISM,
          CHECKPOINT_INTERVAL,
          MICRO_BATCH,
          TOMBSTONE_RETENTION,
          REQUEST_ID_RETENTION,
          REST_PORT,
          HEARTBEAT_INTERVAL);

  /** Errors name the command-line option: {@code --} and the key. */
  private static final String OPTION = "--";

  /** Checks every setting. */
  public JobSettings {
    Objects.requireNonNull(catalog, "--catalog is required");
    requireText("--bootstrap", bootstrapServers);
    requireText("--registry", registryUrl);
    Objects.requireNonNull(topics, "topics");
    PARALLELISM.validate(OPTION, parallelism);
    CHECKPOINT_INTERVAL.validate(OPTION, checkpointInterval);
    MICRO_BATCH.validate(OPTION, microBatchSize);
    TOMBSTONE_RETENTION.validate(OPTION, tombstoneRetention);
    REQUEST_ID_RETENTION.validate(OPTION, requestIdRetention);
    REST_PORT.validate(OPTION, restPort);
    requireText("transactional id prefix", transactionalIdPrefix);
    Objects.requireNonNull(checkpointDirectory, "--checkpoint-dir");
    Objects.requireNonNull(clientConfig, "clientConfig");
    HEARTBEAT_INTERVAL.validate(OPTION, heartbeatInterval);
    if (heartbeatInterval.compareTo(MAX_HEARTBEAT_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "--heartbeat-interval is "
              + heartbeatInterval.toMillis()
              + "ms, expected at most "
              + MAX_HEARTBEAT_INTERVAL.toMillis()
              + "ms so that a stopped learner is noticed within 30 seconds");
    }
  }

  /** Defaults for everything but the catalog and the addresses. */
  public static JobSettings defaults(Path catalog, String bootstrapServers, String registryUrl) {
    return new JobSettings(
        catalog,
        bootstrapServers,
        registryUrl,
        TopicNames.defaults(),
        PARALLELISM.defaultValue().orElseThrow(),
        CHECKPOINT_INTERVAL.defaultValue().orElseThrow(),
        MICRO_BATCH.defaultValue().orElseThrow(),
        TOMBSTONE_RETENTION.defaultValue().orElseThrow(),
        REQUEST_ID_RETENTION.defaultValue().orElseThrow(),
        REST_PORT.defaultValue().orElseThrow(),
        "lethe-learner",
        Path.of(System.getProperty("java.io.tmpdir"), "lethe-checkpoints"),
        HEARTBEAT_INTERVAL.defaultValue().orElseThrow(),
        null,
        KafkaClientConfig.none());
  }

  /** A copy with another parallelism. */
  public JobSettings withParallelism(int value) {
    return copy(c -> c.parallelism = value);
  }

  /** A copy with another checkpoint interval. */
  public JobSettings withCheckpointInterval(Duration value) {
    return copy(c -> c.checkpointInterval = value);
  }

  /** A copy with another micro-batch size. */
  public JobSettings withMicroBatchSize(int value) {
    return copy(c -> c.microBatchSize = value);
  }

  /** A copy with another dashboard port (0: any free port). */
  public JobSettings withRestPort(int value) {
    return copy(c -> c.restPort = value);
  }

  /** A copy writing checkpoints under {@code value}. */
  public JobSettings withCheckpointDirectory(Path value) {
    return copy(c -> c.checkpointDirectory = value);
  }

  /** A copy publishing heartbeats every {@code value}. */
  public JobSettings withHeartbeatInterval(Duration value) {
    return copy(c -> c.heartbeatInterval = value);
  }

  /** A copy signing snapshots with the private key in {@code value} (null: unsigned). */
  public JobSettings withSigningKey(Path value) {
    return copy(c -> c.signingKey = value);
  }

  /** A copy whose Kafka and registry clients take the properties of {@code value}. */
  public JobSettings withClientConfig(KafkaClientConfig value) {
    return copy(c -> c.clientConfig = value);
  }

  /** The components of a copy, changed by a {@code with...} method and checked on the way back. */
  private static final class Copy {
    Path catalog;
    String bootstrapServers;
    String registryUrl;
    TopicNames topics;
    int parallelism;
    Duration checkpointInterval;
    int microBatchSize;
    Duration tombstoneRetention;
    Duration requestIdRetention;
    int restPort;
    String transactionalIdPrefix;
    Path checkpointDirectory;
    Duration heartbeatInterval;
    Path signingKey;
    KafkaClientConfig clientConfig;

    Copy(JobSettings from) {
      catalog = from.catalog;
      bootstrapServers = from.bootstrapServers;
      registryUrl = from.registryUrl;
      topics = from.topics;
      parallelism = from.parallelism;
      checkpointInterval = from.checkpointInterval;
      microBatchSize = from.microBatchSize;
      tombstoneRetention = from.tombstoneRetention;
      requestIdRetention = from.requestIdRetention;
      restPort = from.restPort;
      transactionalIdPrefix = from.transactionalIdPrefix;
      checkpointDirectory = from.checkpointDirectory;
      heartbeatInterval = from.heartbeatInterval;
      signingKey = from.signingKey;
      clientConfig = from.clientConfig;
    }

    JobSettings settings() {
      return new JobSettings(
          catalog,
          bootstrapServers,
          registryUrl,
          topics,
          parallelism,
          checkpointInterval,
          microBatchSize,
          tombstoneRetention,
          requestIdRetention,
          restPort,
          transactionalIdPrefix,
          checkpointDirectory,
          heartbeatInterval,
          signingKey,
          clientConfig);
    }
  }

  private JobSettings copy(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  /** The schema registry with the credentials of {@link #clientConfig()}. */
  public RegistryConnection registry() {
    return new RegistryConnection(registryUrl, clientConfig.registryProperties());
  }

  private static void requireText(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is required");
    }
  }
}
