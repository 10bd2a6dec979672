package io.lethe.local.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Confluent-compatible schema registry (Avro only) that keeps its state in a compacted
 * Kafka topic, for Lethe's embedded mode and tests.
 *
 * <p>It serves the documented REST API on 127.0.0.1. Ids and versions survive restarts because
 * every change is acknowledged by Kafka before it is applied and is replayed at start-up. Only one
 * instance may use a topic at a time: an instance reads its topic once, at start-up, and would not
 * see another instance's writes.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

  /** The topic Confluent's registry uses by default. */
  public static final String DEFAULT_TOPIC = "_schemas";

  /** Loopback only: the embedded registry is for this machine's processes and tests. */
  static final String HOST = "127.0.0.1";

  /** How long start-up waits for Kafka before failing with a message naming the cluster. */
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final int HTTP_THREADS = 4;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final AutoCloseable store;
  private final HttpServer server;
  private final ExecutorService httpThreads;
  private final InFlightRequests inFlight;
  private final String url;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedSchemaRegistry(
      AutoCloseable store,
      HttpServer server,
      ExecutorService httpThreads,
      InFlightRequests inFlight) {
    this.store = store;
    this.server = server;
    this.httpThreads = httpThreads;
    this.inFlight = inFlight;
    this.port = server.getAddress().getPort();
    this.url = "http://" + HOST + ":" + port;
  }

  /** Starts a registry on {@link #DEFAULT_TOPIC} and a free port. */
  public static EmbeddedSchemaRegistry start(String bootstrapServers) {
    return start(bootstrapServers, DEFAULT_TOPIC, 0);
  }

  /**
   * Creates {@code topic} if missing, replays it, and serves the API on {@code port} (0 picks a
   * free port).
   *
   * @throws IllegalStateException naming the bootstrap servers and topic if Kafka cannot be reached
   *     within 30 s or the topic is unusable
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static EmbeddedSchemaRegistry start(String bootstrapServers, String topic, int port) {
    return start(bootstrapServers, topic, port, DEFAULT_STARTUP_TIMEOUT);
  }

  /**
   * Starts a registry as {@link #start(String, String, int)} does, whose Kafka clients start from
   * {@code client}: {@code security.protocol} and {@code sasl.*} for a secured broker.
   */
  public static EmbeddedSchemaRegistry start(
      String bootstrapServers, Map<String, String> client, String topic, int port) {
    return start(bootstrapServers, client, topic, port, DEFAULT_STARTUP_TIMEOUT);
  }

  static EmbeddedSchemaRegistry start(
      String bootstrapServers, String topic, int port, Duration startupTimeout) {
    return start(bootstrapServers, Map.of(), topic, port, startupTimeout);
  }

  static EmbeddedSchemaRegistry start(
      String bootstrapServers,
      Map<String, String> client,
      String topic,
      int port,
      Duration startupTimeout) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port is " + port + ", must be 0 (any free) to 65535");
    }
    RegistryState state = new RegistryState();
    KafkaSchemaStore store =
        KafkaSchemaStore.open(bootstrapServers, client, topic, startupTimeout, state::apply);
    return serve(state, store::append, store, port, "topic '" + topic + "' at " + bootstrapServers);
  }

  /**
   * Starts a registry that keeps its state in this process only, on a free port: the same API and
   * rules without Kafka, for tests that run no broker (Kafka Streams' {@code TopologyTestDriver}).
   * Its ids do not survive a restart.
   */
  public static EmbeddedSchemaRegistry startInMemory() {
    RegistryState state = new RegistryState();
    return serve(state, state::apply, () -> {}, 0, "memory");
  }

  private static EmbeddedSchemaRegistry serve(
      RegistryState state,
      java.util.function.Consumer<StoreEvent> log,
      AutoCloseable store,
      int port,
      String storage) {
    ExecutorService httpThreads = null;
    try {
      InFlightRequests inFlight = new InFlightRequests();
      RegistryService service = new RegistryService(state, log);
      HttpServer server = HttpServer.create(new InetSocketAddress(HOST, port), 0);
      server.createContext("/", new RegistryHttpHandler(service, inFlight));
      httpThreads = Executors.newFixedThreadPool(HTTP_THREADS, namedDaemonThreads());
      server.setExecutor(httpThreads);
      server.start();
      EmbeddedSchemaRegistry registry =
          new EmbeddedSchemaRegistry(store, server, httpThreads, inFlight);
      LOG.info("Embedded schema registry serving {} from {}", registry.url, storage);
      return registry;
    } catch (IOException | RuntimeException e) {
      if (httpThreads != null) {
        httpThreads.shutdownNow();
      }
      closeStore(store);
      if (e instanceof IOException io) {
        throw new UncheckedIOException(
            "Embedded schema registry could not listen on " + HOST + ":" + port, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void closeStore(AutoCloseable store) {
    try {
      store.close();
    } catch (Exception e) {
      LOG.warn("Closing the schema store failed", e);
    }
  }

  /** The registry's base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return url;
  }

  public int port() {
    return port;
  }

  /**
   * Stops accepting requests, lets the ones in progress finish (up to 5 s), then stops the server
   * and the Kafka producer. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!inFlight.closeAndAwaitIdle(DRAIN_TIMEOUT)) {
        LOG.warn("Schema registry at {} closed with requests still in progress", url);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop(0);
    httpThreads.shutdown();
    try {
      if (!httpThreads.awaitTermination(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        httpThreads.shutdownNow();
      }
    } catch (InterruptedException e) {
      httpThreads.shutdownNow();
      Thread.currentThread().interrupt();
    }
    closeStore(store);
  }

  private static java.util.concurrent.ThreadFactory namedDaemonThreads() {
    AtomicInteger number = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "embedded-schema-registry-http-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
