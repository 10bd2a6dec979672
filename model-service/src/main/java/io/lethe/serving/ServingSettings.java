package io.lethe.serving;

import io.lethe.cli.BearerTokens;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.schemas.topics.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the model service needs to run.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registryUrl schema registry base URL
 * @param modelsTopic the serving topic
 * @param host address the HTTP API binds to
 * @param port HTTP port, 0 for any free port
 * @param maxBodyBytes largest predict request body accepted (413 beyond)
 * @param maxInstances most instances in one predict request
 * @param intraOpThreads PyTorch threads per scoring call (1: concurrent requests are the
 *     parallelism)
 * @param learnerStatusTopic the learner job's heartbeat topic
 * @param learnerGrace how long a checkpoint may take beyond the job's commit interval before a
 *     learner whose heartbeats stopped counts as not running ({@link LearnerStatus})
 * @param kafkaConfig Kafka client properties ({@code --kafka-config}) under the service's own, also
 *     read by its registry client
 * @param trustedKeys files of Ed25519 public keys, or directories of {@code *.pub} files, whose
 *     snapshot signatures are accepted ({@code --trusted-keys}); empty: snapshots are not
 *     authenticated, only checksummed
 * @param httpTokens the bearer tokens the API requires ({@code --http-token-file}) on every route
 *     but {@code /healthz}, {@code /readyz} and {@code /metrics}, or null for an open API
 * @param scoring how requests are batched and in what precision they are scored
 */
public record ServingSettings(
    String bootstrapServers,
    String registryUrl,
    String modelsTopic,
    String host,
    int port,
    long maxBodyBytes,
    int maxInstances,
    int intraOpThreads,
    String learnerStatusTopic,
    Duration learnerGrace,
    KafkaClientConfig kafkaConfig,
    List<Path> trustedKeys,
    BearerTokens httpTokens,
    ScoringSettings scoring) {

  /** Default HTTP port. */
  public static final int DEFAULT_PORT = 8080;

  /** Default body limit: 1,024 instances of 784 features as JSON text fit easily. */
  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

  /** Default instance limit per request. */
  public static final int DEFAULT_MAX_INSTANCES = 1024;

  /**
   * Default grace for a slow checkpoint: with the job's default 2 s heartbeats and 2 s checkpoints
   * a stopped learner shows as not running 18 s after its last heartbeat.
   */
  public static final Duration DEFAULT_LEARNER_GRACE = Duration.ofSeconds(10);

  /** Longest grace: a stopped learner must still show up within a bounded time. */
  public static final Duration MAX_LEARNER_GRACE = Duration.ofMinutes(5);

  /** HTTP port. */
  public static final SettingDef<Integer> PORT =
      SettingDef.integer(
          "port", DEFAULT_PORT, Bounds.closed(0, 65535), "HTTP port (0: any free port)");

  /** Body limit. */
  public static final SettingDef<Long> MAX_BODY_BYTES =
      SettingDef.longInteger(
          "max-body-bytes",
          DEFAULT_MAX_BODY_BYTES,
          Bounds.closed(1024, Integer.MAX_VALUE - 8),
          "largest predict request body accepted (413 beyond)");

  /** Instance limit. */
  public static final SettingDef<Integer> MAX_INSTANCES =
      SettingDef.integer(
          "max-instances",
          DEFAULT_MAX_INSTANCES,
          Bounds.atLeast(1),
          "most instances in one predict request");

  /** PyTorch threads per scoring call. */
  public static final SettingDef<Integer> INTRA_OP_THREADS =
      SettingDef.integer(
          "intra-op-threads",
          1,
          Bounds.atLeast(1),
          "PyTorch threads per scoring call (1: concurrent requests are the parallelism)");

  /** The service's numeric and scoring settings, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          PORT,
          MAX_BODY_BYTES,
          MAX_INSTANCES,
          INTRA_OP_THREADS,
          ScoringSettings.MAX_BATCH,
          ScoringSettings.BATCH_WAIT_MICROS,
          ScoringSettings.BUFFER_PRECISION);

  /** Checks every field against its declaration; messages name the setting's key. */
  public ServingSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(modelsTopic, "modelsTopic");
    Objects.requireNonNull(host, "host");
    PORT.validate("", port);
    MAX_BODY_BYTES.validate("", maxBodyBytes);
    MAX_INSTANCES.validate("", maxInstances);
    INTRA_OP_THREADS.validate("", intraOpThreads);
    Objects.requireNonNull(learnerStatusTopic, "learnerStatusTopic");
    if (learnerGrace == null
        || learnerGrace.isNegative()
        || learnerGrace.compareTo(MAX_LEARNER_GRACE) > 0) {
      throw new IllegalArgumentException(
          "learnerGrace must be 0 to " + MAX_LEARNER_GRACE + ", got " + learnerGrace);
    }
    Objects.requireNonNull(kafkaConfig, "kafkaConfig");
    trustedKeys = List.copyOf(Objects.requireNonNull(trustedKeys, "trustedKeys"));
    Objects.requireNonNull(scoring, "scoring");
  }

  /**
   * Settings with Lethe's Kafka client settings only, that do not authenticate snapshots and serve
   * an open API.
   */
  public ServingSettings(
      String bootstrapServers,
      String registryUrl,
      String modelsTopic,
      String host,
      int port,
      long maxBodyBytes,
      int maxInstances,
      int intraOpThreads,
      String learnerStatusTopic,
      Duration learnerGrace) {
    this(
        bootstrapServers,
        registryUrl,
        modelsTopic,
        host,
        port,
        maxBodyBytes,
        maxInstances,
        intraOpThreads,
        learnerStatusTopic,
        learnerGrace,
        KafkaClientConfig.none(),
        List.of(),
        null,
        ScoringSettings.defaults());
  }

  /** Settings with the default learner status topic and grace. */
  public ServingSettings(
      String bootstrapServers,
      String registryUrl,
      String modelsTopic,
      String host,
      int port,
      long maxBodyBytes,
      int maxInstances,
      int intraOpThreads) {
    this(
        bootstrapServers,
        registryUrl,
        modelsTopic,
        host,
        port,
        maxBodyBytes,
        maxInstances,
        intraOpThreads,
        TopicNames.defaults().learnerStatus(),
        DEFAULT_LEARNER_GRACE);
  }

  /** The defaults for a broker and registry: topic lethe.models, 127.0.0.1, port 8080. */
  public static ServingSettings defaults(String bootstrapServers, String registryUrl) {
    return new ServingSettings(
        bootstrapServers,
        registryUrl,
        TopicNames.defaults().models(),
        "127.0.0.1",
        DEFAULT_PORT,
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_INSTANCES,
        INTRA_OP_THREADS.defaultValue().orElseThrow());
  }

  /** A copy with another port (0 = any free port). */
  public ServingSettings withPort(int newPort) {
    return copy(c -> c.port = newPort);
  }

  /** A copy with another bind address. */
  public ServingSettings withHost(String newHost) {
    return copy(c -> c.host = newHost);
  }

  /** A copy with other request limits. */
  public ServingSettings withLimits(long newMaxBodyBytes, int newMaxInstances) {
    return copy(
        c -> {
          c.maxBodyBytes = newMaxBodyBytes;
          c.maxInstances = newMaxInstances;
        });
  }

  /** A copy with another number of PyTorch threads per scoring call. */
  public ServingSettings withIntraOpThreads(int threads) {
    return copy(c -> c.intraOpThreads = threads);
  }

  /** A copy with another grace for slow checkpoints. */
  public ServingSettings withLearnerGrace(Duration grace) {
    return copy(c -> c.learnerGrace = grace);
  }

  /** A copy with other Kafka client properties. */
  public ServingSettings withKafkaConfig(KafkaClientConfig config) {
    return copy(c -> c.kafkaConfig = config);
  }

  /** A copy accepting snapshots signed by the keys in {@code paths} (empty: not authenticated). */
  public ServingSettings withTrustedKeys(List<Path> paths) {
    return copy(c -> c.trustedKeys = paths);
  }

  /** A copy whose API requires one of {@code tokens} (null: an open API). */
  public ServingSettings withHttpTokens(BearerTokens tokens) {
    return copy(c -> c.httpTokens = tokens);
  }

  /** A copy that batches and scores as {@code newScoring} says. */
  public ServingSettings withScoring(ScoringSettings newScoring) {
    return copy(c -> c.scoring = newScoring);
  }

  /** The components of a copy, changed by a {@code with...} method and checked on the way back. */
  private static final class Copy {
    String bootstrapServers;
    String registryUrl;
    String modelsTopic;
    String host;
    int port;
    long maxBodyBytes;
    int maxInstances;
    int intraOpThreads;
    String learnerStatusTopic;
    Duration learnerGrace;
    KafkaClientConfig kafkaConfig;
    List<Path> trustedKeys;
    BearerTokens httpTokens;
    ScoringSettings scoring;

    Copy(ServingSettings from) {
      bootstrapServers = from.bootstrapServers;
      registryUrl = from.registryUrl;
      modelsTopic = from.modelsTopic;
      host = from.host;
      port = from.port;
      maxBodyBytes = from.maxBodyBytes;
      maxInstances = from.maxInstances;
      intraOpThreads = from.intraOpThreads;
      learnerStatusTopic = from.learnerStatusTopic;
      learnerGrace = from.learnerGrace;
      kafkaConfig = from.kafkaConfig;
      trustedKeys = from.trustedKeys;
      httpTokens = from.httpTokens;
      scoring = from.scoring;
    }

    ServingSettings settings() {
      return new ServingSettings(
          bootstrapServers,
          registryUrl,
          modelsTopic,
          host,
          port,
          maxBodyBytes,
          maxInstances,
          intraOpThreads,
          learnerStatusTopic,
          learnerGrace,
          kafkaConfig,
          trustedKeys,
          httpTokens,
          scoring);
    }
  }

  private ServingSettings copy(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }
}
