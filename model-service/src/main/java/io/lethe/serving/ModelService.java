package io.lethe.serving;

import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroDeserializer;
import io.lethe.schemas.snapshot.TrustedKeys;
import io.lethe.serving.console.Console;
import io.lethe.serving.console.ConsoleSettings;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model service: a {@link SnapshotFollower} reading the models topic into a {@link ModelTable},
 * a {@link LearnerStatusFollower} reading the learner job's heartbeats into a {@link
 * LearnerStatusTable}, the {@link Console}'s followers and the {@link PredictionApi} answering from
 * them. Start it with {@link #start}; close it to stop the API, the follower and free every model.
 */
public final class ModelService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

  private final SchemaRegistryClient registry;
  private final ModelTable table;
  private final SnapshotFollower follower;
  private final LearnerStatusTable learners;
  private final LearnerStatusFollower learnerFollower;
  private final PredictionApi api;
  private final ServiceMetrics metrics;
  private final Console console;

  private ModelService(ServingSettings settings, ConsoleSettings consoleSettings) {
    this.metrics = new ServiceMetrics();
    this.registry =
        SchemaRegistryClient.create(settings.registryUrl(), settings.kafkaConfig().properties());
    this.table =
        new ModelTable(metrics, Clock.systemUTC(), trustedKeys(settings), settings.scoring());
    this.learners = new LearnerStatusTable(Clock.systemUTC(), settings.learnerGrace());
    SnapshotFollower snapshots = null;
    try {
      snapshots =
          new SnapshotFollower(
              settings.kafkaConfig(),
              settings.bootstrapServers(),
              settings.modelsTopic(),
              new SpecificAvroDeserializer<>(ModelSnapshot.class, registry),
              table,
              metrics);
      this.learnerFollower =
          new LearnerStatusFollower(
              settings.kafkaConfig(),
              settings.bootstrapServers(),
              settings.learnerStatusTopic(),
              new SpecificAvroDeserializer<>(LearnerHeartbeat.class, registry),
              learners);
    } catch (RuntimeException e) {
      // a consumer the client properties break: release what was built
      if (snapshots != null) {
        snapshots.close();
      }
      registry.close();
      throw e;
    }
    this.follower = snapshots;
    try {
      this.console =
          new Console(
              consoleSettings,
              settings.kafkaConfig(),
              settings.bootstrapServers(),
              new ConsoleBridge(table, learners),
              new SpecificAvroDeserializer<>(ErasureRequest.class, registry),
              new SpecificAvroDeserializer<>(ErasureReceipt.class, registry),
              Clock.systemUTC());
    } catch (RuntimeException e) {
      snapshots.close();
      learnerFollower.close();
      registry.close();
      throw e;
    }
    metrics.exportKafkaClient(learnerFollower::consumerMetrics);
    metrics.exportKafkaClient(console::kafkaMetrics);
    metrics.beforeScrape(() -> learners.export(metrics, table.current()));
    if (settings.httpTokens() == null) {
      LOG.warn(
          "the HTTP API is open: anyone who reaches it can read the models and predict with them"
              + " (see --http-token-file)");
    } else if (settings.httpTokens().source() != null) {
      LOG.info("the HTTP API requires a bearer token from {}", settings.httpTokens().source());
    }
    this.api =
        new PredictionApi(table, learners, follower::notReadyReason, metrics, settings, console);
  }

  /**
   * The keys whose snapshots are served, or null to serve any snapshot with a valid checksum.
   *
   * @throws IllegalArgumentException naming a key file that cannot be read as public keys
   */
  private static TrustedKeys trustedKeys(ServingSettings settings) {
    if (settings.trustedKeys().isEmpty()) {
      LOG.warn(
          "snapshots are not authenticated: anyone who can write to {} can make this service"
              + " serve any model (see --trusted-keys)",
          settings.modelsTopic());
      return null;
    }
    TrustedKeys keys = TrustedKeys.load(settings.trustedKeys());
    LOG.info("serving only snapshots signed by keys {}", keys.keyIds());
    return keys;
  }

  /**
   * Starts following the topic and serving HTTP. Returns at once; {@code /readyz} says when the
   * service has caught up.
   */
  public static ModelService start(ServingSettings settings) {
    return start(settings, ConsoleSettings.defaults());
  }

  /** Starts as {@link #start(ServingSettings)} does, with the console's topics and bounds. */
  public static ModelService start(ServingSettings settings, ConsoleSettings console) {
    ModelService service = new ModelService(settings, console);
    try {
      service.api.start();
      service.follower.start();
      service.learnerFollower.start();
      service.console.start();
      return service;
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /** The HTTP port. */
  public int port() {
    return api.port();
  }

  /** Whether the service has caught up with the models topic. */
  public boolean ready() {
    return follower.ready();
  }

  /** The service's metrics in the Prometheus text format (what {@code /metrics} returns). */
  public byte[] scrapeMetrics() {
    return metrics.scrape();
  }

  @Override
  public void close() {
    api.close();
    console.close();
    follower.close();
    learnerFollower.close();
    table.close();
    registry.close();
  }
}
