package io.lethe.serving;

import io.lethe.schemas.metrics.KafkaMetricsBridge;
import io.lethe.schemas.metrics.PrometheusText;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The model service's Prometheus metrics, in a registry of its own (so two services in one JVM, as
 * in tests and the demo, do not share counters), and their text exposition for {@code /metrics}
 * with its Kafka consumers' own metrics ({@link KafkaMetricsBridge}) and the JVM's.
 */
final class ServiceMetrics {
  /** Content type of {@link #scrape()}. */
  public static final String CONTENT_TYPE = PrometheusText.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final KafkaMetricsBridge kafka = KafkaMetricsBridge.create();
  private final PrometheusText text = new PrometheusText(registry);

  ServiceMetrics() {
    registry.register(kafka);
  }

  final Counter snapshotsLoaded =
      Counter.builder()
          .name("lethe_serving_snapshots_loaded_total")
          .help("Snapshots verified, loaded, warmed and swapped in")
          .labelNames("model")
          .register(registry);

  final Counter snapshotsRefused =
      Counter.builder()
          .name("lethe_serving_snapshots_refused_total")
          .help(
              "Snapshots refused, by reason: checksum, stale_version, invalid, undecodable,"
                  + " tombstone, unsigned, unknown_key, bad_signature; the previous version keeps"
                  + " serving")
          .labelNames("model", "reason")
          .register(registry);

  final Gauge servedVersion =
      Gauge.builder()
          .name("lethe_serving_model_version")
          .help("Version of the snapshot each model is served from")
          .labelNames("model")
          .register(registry);

  final Histogram swapSeconds =
      Histogram.builder()
          .name("lethe_serving_snapshot_load_seconds")
          .help("Time to verify, decode and warm a snapshot before the swap")
          .classicOnly()
          .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .labelNames("model")
          .register(registry);

  final Counter requests =
      Counter.builder()
          .name("lethe_serving_predict_requests_total")
          .help(
              "Responses to predict requests (v1 predict and v2 infer) by model (empty if it is"
                  + " not served) and HTTP status, refusals included")
          .labelNames("model", "status")
          .register(registry);

  final Counter responses =
      Counter.builder()
          .name("lethe_serving_http_responses_total")
          .help(
              "Every HTTP response the API answers, by route template (unmatched for paths the"
                  + " API does not serve) and status")
          .labelNames("route", "status")
          .register(registry);

  final Counter authRefusals =
      Counter.builder()
          .name("lethe_serving_http_auth_refusals_total")
          .help(
              "Requests refused with 401 for want of a valid bearer token, by route template and"
                  + " reason: missing, not_bearer, invalid")
          .labelNames("route", "reason")
          .register(registry);

  final Counter instances =
      Counter.builder()
          .name("lethe_serving_predict_instances_total")
          .help("Instances scored, through either API")
          .labelNames("model")
          .register(registry);

  final Histogram predictSeconds =
      Histogram.builder()
          .name("lethe_serving_predict_seconds")
          .help("Time to parse, score and answer a successful predict or infer request")
          .classicOnly()
          .classicUpperBounds(
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
          .labelNames("model")
          .register(registry);

  final Histogram batchRows =
      Histogram.builder()
          .name("lethe_serving_batch_rows")
          .help(
              "Rows per scoring product: concurrent requests for one model version batched"
                  + " together, or one request scored alone")
          .classicOnly()
          .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
          .labelNames("model")
          .register(registry);

  final Gauge ready =
      Gauge.builder()
          .name("lethe_serving_ready")
          .help("1 once the service has caught up with the models topic, else 0")
          .register(registry);

  final Gauge recordsBehind =
      Gauge.builder()
          .name("lethe_serving_catch_up_records_remaining")
          .help("Records of the models topic still to read before the service is ready")
          .register(registry);

  final Gauge learnerUp =
      Gauge.builder()
          .name("lethe_serving_learner_up")
          .help(
              "1 while the model's learner publishes fresh heartbeats, 0 once the newest is stale"
                  + " (learner cancelled, failing or stuck) or before any heartbeat")
          .labelNames("model")
          .register(registry);

  final Gauge heartbeatAge =
      Gauge.builder()
          .name("lethe_serving_learner_heartbeat_age_seconds")
          .help("Seconds since the model's learner emitted its newest committed heartbeat")
          .labelNames("model")
          .register(registry);

  final Gauge snapshotAge =
      Gauge.builder()
          .name("lethe_serving_snapshot_age_seconds")
          .help("Seconds since the learner job created the snapshot the model is served from")
          .labelNames("model")
          .register(registry);

  private volatile Runnable beforeScrape = () -> {};

  /** Runs {@code refresh} before each scrape, to set gauges whose values are ages. */
  void beforeScrape(Runnable refresh) {
    beforeScrape = refresh;
  }

  /** Exports a Kafka client's own metrics, e.g. {@code consumer::metrics}, with the service's. */
  void exportKafkaClient(Supplier<? extends Map<MetricName, ? extends Metric>> clientMetrics) {
    kafka.add(clientMetrics);
  }

  /** The current values in the Prometheus text format. */
  public byte[] scrape() {
    beforeScrape.run();
    return text.scrape();
  }
}
