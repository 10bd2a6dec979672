package io.lethe.ingress;

import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.BearerTokens;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.ingress.http.ErasureStatusLookup;
import io.lethe.ingress.http.ErasureStatusServer;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.schemas.metrics.KafkaMetricsBridge;
import io.lethe.schemas.metrics.PrometheusText;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicCreation;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.validation.DeadLetterEnvelope;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running ingress: the {@link IngressTopology} in a {@link KafkaStreams} application with
 * exactly-once processing, and the erasure status endpoint answering from its state store. {@link
 * IngressMain} and the integration tests start it the same way.
 */
public final class IngressApp implements AutoCloseable {
  /** Default Kafka Streams application id (consumer group and internal topic prefix). */
  public static final String DEFAULT_APPLICATION_ID = "lethe-ingress";

  private static final Logger log = LoggerFactory.getLogger(IngressApp.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final ErasureStatusServer http;
  private final HostInfo self;
  private final PrometheusText metrics;

  /**
   * What the ingress needs to run.
   *
   * @param applicationId Kafka Streams application id
   * @param bootstrapServers Kafka bootstrap servers
   * @param stateDir directory of the local state stores
   * @param httpPort port of the status endpoint, 0 for a free port, or -1 for none
   * @param advertisedHost host name other instances use to reach this one's status endpoint
   * @param bindAddress address the status endpoint binds to, or null for every interface
   * @param clientConfig Kafka client properties (security and tuning) under the ingress's own
   * @param httpTokens the bearer tokens the status endpoint requires on {@code /v1/erasures/}, or
   *     null for an open endpoint
   */
  public record Connection(
      String applicationId,
      String bootstrapServers,
      Path stateDir,
      int httpPort,
      String advertisedHost,
      String bindAddress,
      KafkaClientConfig clientConfig,
      BearerTokens httpTokens) {

    public Connection {
      java.util.Objects.requireNonNull(clientConfig, "clientConfig");
    }

    /** A connection whose status endpoint is open. */
    public Connection(
        String applicationId,
        String bootstrapServers,
        Path stateDir,
        int httpPort,
        String advertisedHost,
        String bindAddress,
        KafkaClientConfig clientConfig) {
      this(
          applicationId,
          bootstrapServers,
          stateDir,
          httpPort,
          advertisedHost,
          bindAddress,
          clientConfig,
          null);
    }

    /** A copy whose status endpoint requires one of {@code tokens} (null: open). */
    public Connection withHttpTokens(BearerTokens tokens) {
      return new Connection(
          applicationId,
          bootstrapServers,
          stateDir,
          httpPort,
          advertisedHost,
          bindAddress,
          clientConfig,
          tokens);
    }

    /**
     * A connection with Lethe's Kafka client settings only, its status endpoint on every interface.
     */
    public Connection(
        String applicationId,
        String bootstrapServers,
        Path stateDir,
        int httpPort,
        String advertisedHost) {
      this(applicationId, bootstrapServers, stateDir, httpPort, advertisedHost, (String) null);
    }

    /** A connection with Lethe's Kafka client settings only. */
    public Connection(
        String applicationId,
        String bootstrapServers,
        Path stateDir,
        int httpPort,
        String advertisedHost,
        String bindAddress) {
      this(
          applicationId,
          bootstrapServers,
          stateDir,
          httpPort,
          advertisedHost,
          bindAddress,
          KafkaClientConfig.none());
    }

    /** A connection whose status endpoint binds every interface. */
    public Connection(
        String applicationId,
        String bootstrapServers,
        Path stateDir,
        int httpPort,
        String advertisedHost,
        KafkaClientConfig clientConfig) {
      this(applicationId, bootstrapServers, stateDir, httpPort, advertisedHost, null, clientConfig);
    }
  }

  private IngressApp(
      KafkaStreams streams, ErasureStatusServer http, HostInfo self, PrometheusText metrics) {
    this.streams = streams;
    this.http = http;
    this.self = self;
    this.metrics = metrics;
  }

  /**
   * The ingress's {@code /metrics}: its own metrics ({@link IngressPrometheus}), Kafka Streams' and
   * its Kafka clients' ({@link KafkaMetricsBridge}), and the JVM's.
   */
  private static PrometheusText prometheus(KafkaStreams streams, ErasureStatusServer http) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new IngressPrometheus(streams::metrics, http));
    registry.register(
        KafkaMetricsBridge.excludingGroups(Set.of(IngressMetrics.GROUP)).add(streams::metrics));
    return new PrometheusText(registry);
  }

  /** The ingress's metrics in the Prometheus text format, as {@code GET /metrics} answers. */
  public byte[] scrapeMetrics() {
    return metrics.scrape();
  }

  /**
   * The largest record the ingress writes, for its producer's {@code max.request.size} and the
   * {@code max.message.bytes} of the topics it writes: twice the record limit (an erasure request
   * travels base64-encoded in JSON through the tracker's repartition topic) plus the room of a dead
   * letter's envelope and headers.
   */
  public static int maxWrittenBytes(IngressSettings settings) {
    return (int)
        Math.min(
            Integer.MAX_VALUE, 2L * settings.maxRecordBytes() + DeadLetterEnvelope.OVERHEAD_BYTES);
  }

  /**
   * The Kafka Streams configuration of the ingress: the connection's client properties with the
   * ingress's own settings on top ({@link KafkaClientConfig#layer}); a {@code client.id} from the
   * properties is Kafka Streams' prefix for its clients' ids.
   */
  public static Properties streamsConfig(
      Connection connection, HostInfo self, LetheTopics topics, IngressSettings settings) {
    Map<String, Object> props = new java.util.LinkedHashMap<>();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, connection.applicationId());
    props.put(StreamsConfig.STATE_DIR_CONFIG, connection.stateDir().toString());
    // Each input record, its outputs and its state changes commit together: a receipt is never
    // published twice, and a sample is never both forwarded and dead-lettered after a crash.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    if (self != null) {
      props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    }
    // No poison pills: what cannot be read, processed or written is dead-lettered.
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        IngressErrorHandlers.Deserialization.class);
    props.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        IngressErrorHandlers.Processing.class);
    props.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        IngressErrorHandlers.Production.class);
    props.put(
        IngressErrorHandlers.DEAD_LETTER_SERIALIZER, topics.deadLetter().valueSerde().serializer());
    props.put(IngressErrorHandlers.DEAD_LETTER_TOPIC, topics.deadLetter().name());
    props.put(IngressErrorHandlers.MAX_CARRIED_BYTES, settings.maxRecordBytes());
    // Sizes agree end to end: whatever the intake accepts, the producer and topics take.
    int maxWritten = maxWrittenBytes(settings);
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        String.valueOf(maxWritten));
    props.put(
        StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
        String.valueOf(maxWritten));
    return connection.clientConfig().layerAsProperties(connection.bootstrapServers(), null, props);
  }

  /**
   * Starts the ingress: creates missing topics (broker defaults for partitions and replicas),
   * starts Kafka Streams and, unless {@code httpPort} is -1, the status endpoint.
   *
   * @throws IOException if the status endpoint cannot bind its port
   */
  public static IngressApp start(
      Connection connection,
      LetheTopics topics,
      TopicNames names,
      ModelCatalog catalog,
      IngressSettings settings)
      throws IOException {
    return start(connection, topics, names, catalog, settings, null);
  }

  /**
   * Starts the ingress as {@link #start(Connection, LetheTopics, TopicNames, ModelCatalog,
   * IngressSettings)} does, signing every erasure receipt (on {@code lethe.receipts} and at the
   * status endpoint) with {@code signer}; null for unsigned receipts, which is logged once.
   *
   * @throws IOException if the status endpoint cannot bind its port
   */
  public static IngressApp start(
      Connection connection,
      LetheTopics topics,
      TopicNames names,
      ModelCatalog catalog,
      IngressSettings settings,
      ReceiptSigner signer)
      throws IOException {
    if (signer == null) {
      log.warn("Erasure receipts are unsigned: start the ingress with --signing-key to sign them");
    } else {
      log.info("Signing erasure receipts with key {}", signer.keyId());
    }
    createMissingTopics(connection, names, maxWrittenBytes(settings));
    ErasureStatusServer http = null;
    KafkaStreams streams = null;
    try {
      StatusLookup lookup = new StatusLookup();
      HostInfo self = null;
      if (connection.httpPort() >= 0) {
        http =
            ErasureStatusServer.start(
                connection.bindAddress(),
                connection.httpPort(),
                lookup,
                signer,
                connection.httpTokens());
        self = new HostInfo(connection.advertisedHost(), http.port());
      }
      Properties config = streamsConfig(connection, self, topics, settings);
      log.info("Ingress Kafka Streams configuration: {}", KafkaClientConfig.describe(config));
      var topology = IngressTopology.topology(topics, catalog, settings, signer);
      streams =
          connection
              .clientConfig()
              .create(
                  "Streams application " + connection.applicationId(),
                  () -> new KafkaStreams(topology, config));
      streams.setUncaughtExceptionHandler(new ThreadFailures(Clock.systemUTC()));
      KafkaStreams started = streams;
      streams.setStateListener((now, before) -> logState(started, now, before));
      lookup.streams = streams;
      lookup.self = self;
      PrometheusText metrics = prometheus(streams, http);
      if (http != null) {
        http.serveMetrics(metrics::scrape);
      }
      streams.start();
      log.info(
          "Ingress {} started against {} ({} datasets, {} models)",
          connection.applicationId(),
          connection.bootstrapServers(),
          catalog.datasets().size(),
          catalog.models().size());
      return new IngressApp(streams, http, self, metrics);
    } catch (RuntimeException | IOException e) {
      if (streams != null) {
        streams.close(Duration.ofSeconds(10));
      }
      if (http != null) {
        http.close();
      }
      throw e;
    }
  }

  /** The Kafka Streams instance, e.g. for its state and metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  /** The status endpoint's port, if it runs. */
  public Optional<Integer> httpPort() {
    return Optional.ofNullable(http).map(ErasureStatusServer::port);
  }

  /**
   * Creates any of Lethe's topics the ingress uses that do not exist yet; those it writes take
   * records of up to {@code maxWrittenBytes}.
   */
  static void createMissingTopics(Connection connection, TopicNames names, int maxWrittenBytes) {
    String bootstrapServers = connection.bootstrapServers();
    Set<String> written =
        Set.of(names.samples(), names.erasures(), names.receipts(), names.deadLetter());
    List<String> wanted =
        List.of(
            names.samplesRaw(),
            names.samples(),
            names.erasuresRaw(),
            names.erasures(),
            names.erasuresAffected(),
            names.erasuresApplied(),
            names.receipts(),
            names.deadLetter());
    String clientId = connection.applicationId() + "-admin";
    Map<String, Object> adminConfig =
        connection.clientConfig().layer(bootstrapServers, clientId, Map.of());
    log.info("Ingress admin client configuration: {}", KafkaClientConfig.describe(adminConfig));
    try (Admin admin =
        connection
            .clientConfig()
            .create("admin client " + clientId, () -> Admin.create(adminConfig))) {
      Set<String> existing =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing =
          wanted.stream()
              .filter(t -> !existing.contains(t))
              .map(
                  t ->
                      new NewTopic(t, Optional.empty(), Optional.empty())
                          .configs(
                              written.contains(t)
                                  ? Map.of(
                                      TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                      String.valueOf(maxWrittenBytes))
                                  : Map.of()))
              .toList();
      TopicCreation.createPermitted(admin, missing, ADMIN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot check or create Lethe's topics on " + bootstrapServers + ": " + e, e);
    }
  }

  /** Answers status lookups from the local store, or names the instance holding the request. */
  private static final class StatusLookup implements ErasureStatusLookup {
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    @Override
    public Answer find(String requestId) {
      KafkaStreams current = streams;
      if (current == null) {
        return new Unavailable("the ingress is starting");
      }
      try {
        KeyQueryMetadata where =
            current.queryMetadataForKey(
                IngressTopology.ERASURES_STORE, requestId, Serdes.String().serializer());
        HostInfo active = where == null ? null : where.activeHost();
        if (self != null
            && active != null
            && !active.equals(KeyQueryMetadata.NOT_AVAILABLE.activeHost())
            && !active.equals(self)) {
          return new ElsewhereAt("http://" + active.host() + ":" + active.port());
        }
        ReadOnlyKeyValueStore<String, ErasureState> store =
            current.store(
                StoreQueryParameters.fromNameAndType(
                    IngressTopology.ERASURES_STORE, QueryableStoreTypes.keyValueStore()));
        ErasureState state = store.get(requestId);
        return state == null ? new NotFound() : new Found(state);
      } catch (InvalidStateStoreException e) {
        return new Unavailable(
            "the ingress's erasure store cannot be read right now ("
                + current.state()
                + "); try again shortly");
      }
    }

    /**
     * Ready while Kafka Streams runs. Rebalancing and starting are passing states; ERROR and the
     * shutdown states mean a stream thread kept failing (see {@link ThreadFailures}).
     */
    @Override
    public Optional<String> notReadyReason() {
      KafkaStreams current = streams;
      if (current == null) {
        return Optional.of("the ingress is starting");
      }
      return switch (current.state()) {
        case RUNNING -> Optional.empty();
        case CREATED, REBALANCING ->
            Optional.of("the ingress is " + current.state().name().toLowerCase(Locale.ROOT));
        case PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR ->
            Optional.of(
                "the ingress has stopped processing (Kafka Streams "
                    + current.state()
                    + "); see its log");
      };
    }
  }

  /** Stops the status endpoint, then Kafka Streams (committing its last transaction). */
  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    streams.close(Duration.ofSeconds(30));
    log.info("Ingress stopped{}", self == null ? "" : " (was serving at " + self + ")");
  }

  /** Logs the transitions an operator needs: rebalances, the partitions assigned here, failure. */
  private static void logState(
      KafkaStreams streams, KafkaStreams.State now, KafkaStreams.State before) {
    switch (now) {
      case RUNNING ->
          log.info(
              "Ingress running; input partitions assigned to this instance: {}",
              streams.metadataForLocalThreads().stream()
                  .flatMap(thread -> thread.activeTasks().stream())
                  .flatMap(task -> task.topicPartitions().stream())
                  .map(TopicPartition::toString)
                  .sorted()
                  .toList());
      case REBALANCING -> log.info("Ingress rebalancing (was {})", before);
      case PENDING_ERROR, ERROR ->
          log.warn("Ingress stream threads stopped: Kafka Streams went from {} to {}", before, now);
      default -> {}
    }
  }
}
