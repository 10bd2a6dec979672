package io.lethe.serving.console;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.learners.ScoringThreads;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.serving.TopicFollower;
import io.lethe.serving.console.ConsoleSources.ModelView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lethe console's data: it follows the receipts, erasures and dead-letter topics, samples the
 * served models for its charts, scores each newly served version on the evaluation set if it has
 * one, and answers the console's JSON views. The page itself is static ({@link #asset}); the model
 * service serves both, the views behind its bearer token.
 *
 * <p>Memory is bounded by {@link ConsoleSettings}: the newest erasure requests, a ring buffer of
 * samples and accuracies per model, a bounded set of dead-letter counts. Subject ids are kept only
 * to answer the authenticated views; nothing of a request is logged.
 */
public final class Console implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Console.class);

  /** The page's files, by name under {@code /console/}, and their content types. */
  private static final Map<String, String> ASSETS =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8");

  /** The consumers' names, after the {@code --kafka-config} file's {@code client.id} if any. */
  static final String CLIENT_ID = "lethe-model-service-console";

  private final ConsoleSettings settings;
  private final ConsoleSources sources;
  private final Clock clock;
  private final ErasureLog erasures;
  private final DeadLetterCounts deadLetters = new DeadLetterCounts();
  private final ModelHistory history;
  private final HeldOutAccuracy evaluation;
  private final List<TopicFollower> followers = new ArrayList<>();
  private final Map<String, TopicFollower> followerByTopic = new LinkedHashMap<>();
  private final ScheduledExecutorService sampler;

  /**
   * @param requests decodes the erasures topic's values
   * @param receipts decodes the receipts topic's values
   */
  public Console(
      ConsoleSettings settings,
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      ConsoleSources sources,
      Deserializer<ErasureRequest> requests,
      Deserializer<ErasureReceipt> receipts,
      Clock clock) {
    this.settings = settings;
    this.sources = sources;
    this.clock = clock;
    this.erasures = new ErasureLog(settings.maxErasures());
    this.history = new ModelHistory(settings.historyPoints());
    this.evaluation =
        settings.evaluation() == null
            ? null
            : new HeldOutAccuracy(settings.evaluation(), settings.maxEvaluationRows());
    try {
      follow(
          kafkaConfig,
          bootstrapServers,
          settings.erasuresTopic(),
          "erasures",
          r -> {
            if (r.value() != null) {
              erasures.requested(requests.deserialize(r.topic(), r.value()));
            }
          });
      follow(
          kafkaConfig,
          bootstrapServers,
          settings.receiptsTopic(),
          "receipts",
          r -> {
            if (r.value() != null) {
              erasures.receipt(receipts.deserialize(r.topic(), r.value()));
            }
          });
      follow(
          kafkaConfig,
          bootstrapServers,
          settings.deadLetterTopic(),
          "deadletter",
          r -> deadLetters.add(r.headers(), r.timestamp()));
    } catch (RuntimeException e) {
      followers.forEach(TopicFollower::close);
      throw e;
    }
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "lethe-console-sampler");
              thread.setDaemon(true);
              return thread;
            });
  }

  private void follow(
      KafkaClientConfig kafkaConfig,
      String bootstrapServers,
      String topic,
      String suffix,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>>
          handler) {
    TopicFollower follower =
        new TopicFollower(kafkaConfig, bootstrapServers, CLIENT_ID + "-" + suffix, topic, handler);
    followers.add(follower);
    followerByTopic.put(topic, follower);
  }

  /** The console's Kafka consumers' own metrics (one per followed topic), for {@code /metrics}. */
  public Map<MetricName, ? extends Metric> kafkaMetrics() {
    Map<MetricName, Metric> all = new LinkedHashMap<>();
    followers.forEach(f -> all.putAll(f.consumerMetrics()));
    return all;
  }

  /** Starts following the topics and sampling the models. */
  public void start() {
    followers.forEach(TopicFollower::start);
    long every = settings.sampleInterval().toMillis();
    sampler.scheduleWithFixedDelay(this::sampleSafely, 0, every, TimeUnit.MILLISECONDS);
    if (evaluation != null) {
      LOG.info("console: scoring each new model version on {} held-out rows", evaluation.rows());
    }
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      // a failed sample must not end the schedule
      LOG.warn("console: sampling the served models failed", e);
    }
  }

  private void sample() {
    long now = clock.millis();
    for (ModelView model : sources.models()) {
      history.sample(
          model.name(),
          new ModelHistory.Point(
              now,
              model.version(),
              model.snapshotAgeSeconds(),
              model.samplesLearned() == null ? -1 : model.samplesLearned()));
      if (evaluation != null && history.lastEvaluated(model.name()) < model.version()) {
        evaluate(model);
      }
    }
  }

  /** Scores the served version on the evaluation set, on the sampler's thread. */
  private void evaluate(ModelView model) {
    ScoringThreads.useIntraOpThreads(1);
    Optional<HeldOutAccuracy.Result> result =
        sources
            .withScorer(model.name(), model.version(), evaluation::score)
            .map(Optional::ofNullable)
            .orElse(Optional.empty());
    // record a version without a figure too, so it is not scored again on every sample
    history.accuracy(
        model.name(),
        new ModelHistory.Accuracy(
            model.version(),
            result.map(HeldOutAccuracy.Result::accuracy).orElse(null),
            result.map(HeldOutAccuracy.Result::rows).orElse(0),
            clock.millis()));
  }

  /** The overview the page polls: models with their series, erasure counts, dead letters. */
  public Map<String, Object> overview() {
    List<Map<String, Object>> models = new ArrayList<>();
    for (ModelView model : sources.models()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", model.name());
      out.put("learner", model.learner());
      out.put("version", model.version());
      out.put("created_at", model.createdAt());
      out.put("loaded_at", model.loadedAt());
      out.put("snapshot_age_seconds", model.snapshotAgeSeconds());
      out.put("learner_status", model.learnerStatus());
      out.put("samples_learned", model.samplesLearned());
      out.put("samples_buffered", model.samplesBuffered());
      out.put("samples_per_task", model.samplesPerTask());
      out.put("erased_tasks", model.erasedTasks());
      out.putAll(history.describe(model.name()));
      models.add(out);
    }
    Map<String, Object> sourcesOut = new LinkedHashMap<>();
    followerByTopic.forEach((topic, follower) -> sourcesOut.put(topic, follower.state()));
    Map<String, Object> evaluationOut = new LinkedHashMap<>();
    evaluationOut.put("rows", evaluation == null ? 0 : evaluation.rows());
    evaluationOut.put(
        "source", settings.evaluation() == null ? null : settings.evaluation().name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("now", clock.millis());
    out.put("sample_interval_seconds", settings.sampleInterval().toMillis() / 1000.0);
    out.put("models", models);
    out.put("erasures", erasures.counts());
    out.put("dead_letters", deadLetters.describe());
    out.put("evaluation", evaluationOut);
    out.put("topics", sourcesOut);
    return out;
  }

  /**
   * The erasure requests whose id contains {@code query} or whose subject is {@code query} (all if
   * blank), newest first, with state, guarantee per model, latency and first version without.
   */
  public Map<String, Object> erasures(String query) {
    return erasures.search(query);
  }

  /** A file of the page. */
  public record Asset(String contentType, byte[] bytes) {}

  /** The page's file {@code name} (e.g. {@code console.js}), or empty if there is none. */
  public static Optional<Asset> asset(String name) {
    String type = ASSETS.get(name);
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + name + " is not on the class path");
      }
      return Optional.of(new Asset(type, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's " + name, e);
    }
  }

  /** Whether {@code name} is one of the page's files. */
  public static boolean isAsset(String name) {
    return ASSETS.containsKey(name);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    followers.forEach(TopicFollower::close);
  }
}
