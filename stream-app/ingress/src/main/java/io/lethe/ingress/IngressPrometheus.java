package io.lethe.ingress;

import io.lethe.ingress.http.ErasureStatusServer;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The ingress's own metrics under their stable Prometheus names ({@code lethe_ingress_*}, listed in
 * {@link #FAMILIES} and in {@code docs/metrics.md}): read at each scrape from Kafka Streams'
 * registry (group {@value IngressMetrics#GROUP}, summed over tasks and stream threads) and from the
 * erasure status endpoint's response counters.
 */
public final class IngressPrometheus implements MultiCollector {
  /**
   * One exported family.
   *
   * @param name the Prometheus name, with {@code _total} for a counter
   * @param type counter, gauge or histogram
   * @param labels its labels
   * @param help what it counts
   */
  public record Family(String name, MetricType type, List<String> labels, String help) {}

  /** Accepted records, from {@link IngressMetrics#ACCEPTED}. */
  static final Family ACCEPTED =
      new Family(
          "lethe_ingress_accepted_total",
          MetricType.COUNTER,
          List.of("stream"),
          "Records accepted and forwarded, by stream: samples, erasures");

  /** Dead-lettered records, from {@link IngressMetrics#REJECTED}. */
  static final Family REJECTED =
      new Family(
          "lethe_ingress_rejected_total",
          MetricType.COUNTER,
          List.of("stream", "reason"),
          "Records dead-lettered, by stream and reason code");

  /** From {@link IngressMetrics#DUPLICATES}. */
  static final Family DUPLICATES =
      new Family(
          "lethe_ingress_duplicate_samples_total",
          MetricType.COUNTER,
          List.of(),
          "Duplicate samples dropped");

  /** From {@link IngressMetrics#RETRIES}. */
  static final Family RETRIES =
      new Family(
          "lethe_ingress_erasure_retries_total",
          MetricType.COUNTER,
          List.of(),
          "Erasure requests recognised as retries of an earlier request");

  /** From {@link IngressMetrics#RECEIPTS}. */
  static final Family RECEIPTS =
      new Family(
          "lethe_ingress_receipts_total",
          MetricType.COUNTER,
          List.of("status"),
          "Erasure receipts published, by status: COMPLETED, REJECTED");

  /** From {@link IngressMetrics#PENDING}, summed over tasks. */
  static final Family PENDING =
      new Family(
          "lethe_ingress_pending_erasures",
          MetricType.GAUGE,
          List.of(),
          "Erasure requests waiting for their models");

  /** From {@link IngressMetrics#OVERDUE}, summed over tasks. */
  static final Family OVERDUE =
      new Family(
          "lethe_ingress_overdue_erasures",
          MetricType.GAUGE,
          List.of(),
          "Erasure requests pending longer than the erasure deadline");

  /** From {@link IngressMetrics#ERASURE_TO_RECEIPT}. */
  static final Family ERASURE_TO_RECEIPT =
      new Family(
          "lethe_ingress_erasure_to_receipt_seconds",
          MetricType.HISTOGRAM,
          List.of(),
          "Time from an erasure request's arrival at the ingress to its receipt");

  /** From {@link ErasureStatusServer#responseCounts()}. */
  static final Family HTTP_RESPONSES =
      new Family(
          "lethe_ingress_http_responses_total",
          MetricType.COUNTER,
          List.of("route", "status"),
          "Responses of the erasure status endpoint, by route template and HTTP status");

  /** From {@link ErasureStatusServer#authRefusalCounts()}. */
  static final Family HTTP_AUTH_REFUSALS =
      new Family(
          "lethe_ingress_http_auth_refusals_total",
          MetricType.COUNTER,
          List.of("reason"),
          "Requests the erasure status endpoint refused with 401, by reason: missing,"
              + " not_bearer, invalid");

  /** Every family the ingress exports under its own name. */
  public static final List<Family> FAMILIES =
      List.of(
          ACCEPTED,
          REJECTED,
          DUPLICATES,
          RETRIES,
          RECEIPTS,
          PENDING,
          OVERDUE,
          ERASURE_TO_RECEIPT,
          HTTP_RESPONSES,
          HTTP_AUTH_REFUSALS);

  private final Supplier<? extends Map<MetricName, ? extends Metric>> streamsMetrics;
  private final ErasureStatusServer http;

  /**
   * @param streamsMetrics Kafka Streams' registry, {@code KafkaStreams::metrics}
   * @param http the status endpoint, or null if the ingress runs without one
   */
  public IngressPrometheus(
      Supplier<? extends Map<MetricName, ? extends Metric>> streamsMetrics,
      ErasureStatusServer http) {
    this.streamsMetrics = streamsMetrics;
    this.http = http;
  }

  @Override
  public MetricSnapshots collect() {
    Map<MetricName, ? extends Metric> all = streamsMetrics.get();
    List<MetricSnapshot> snapshots = new ArrayList<>();
    snapshots.add(counter(ACCEPTED, sum(all, IngressMetrics.ACCEPTED, ACCEPTED.labels())));
    snapshots.add(counter(REJECTED, sum(all, IngressMetrics.REJECTED, REJECTED.labels())));
    snapshots.add(counter(DUPLICATES, sum(all, IngressMetrics.DUPLICATES, List.of())));
    snapshots.add(counter(RETRIES, sum(all, IngressMetrics.RETRIES, List.of())));
    snapshots.add(counter(RECEIPTS, sum(all, IngressMetrics.RECEIPTS, RECEIPTS.labels())));
    snapshots.add(gauge(PENDING, sum(all, IngressMetrics.PENDING, List.of())));
    snapshots.add(gauge(OVERDUE, sum(all, IngressMetrics.OVERDUE, List.of())));
    snapshots.add(histogram(all));
    Map<Labels, Double> responses = new LinkedHashMap<>();
    Map<Labels, Double> refusals = new LinkedHashMap<>();
    if (http != null) {
      http.responseCounts()
          .forEach(
              (key, count) ->
                  responses.put(
                      Labels.of("route", key.route(), "status", String.valueOf(key.status())),
                      count.doubleValue()));
      http.authRefusalCounts()
          .forEach(
              (reason, count) -> refusals.put(Labels.of("reason", reason), count.doubleValue()));
    }
    snapshots.add(counter(HTTP_RESPONSES, responses));
    snapshots.add(counter(HTTP_AUTH_REFUSALS, refusals));
    return new MetricSnapshots(snapshots);
  }

  /**
   * The values of the ingress metric {@code name}, summed by the tags in {@code labels} (over tasks
   * and threads). A counter without labels is 0 before its first event.
   */
  private static Map<Labels, Double> sum(
      Map<MetricName, ? extends Metric> all, String name, List<String> labels) {
    Map<Labels, Double> sums = new LinkedHashMap<>();
    if (labels.isEmpty()) {
      sums.put(Labels.EMPTY, 0.0);
    }
    all.forEach(
        (metricName, metric) -> {
          if (metricName.group().equals(IngressMetrics.GROUP) && metricName.name().equals(name)) {
            Labels key = Labels.EMPTY;
            for (String label : labels) {
              String value = metricName.tags().get(label);
              key = key.add(label, value == null ? "" : value);
            }
            sums.merge(key, value(metric), Double::sum);
          }
        });
    return sums;
  }

  private static double value(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : 0;
  }

  private MetricSnapshot histogram(Map<MetricName, ? extends Metric> all) {
    List<Double> bounds = new ArrayList<>(IngressMetrics.ERASURE_TO_RECEIPT_BUCKETS);
    bounds.add(Double.POSITIVE_INFINITY);
    double[] cumulative = new double[bounds.size()];
    double count = 0;
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : all.entrySet()) {
      MetricName n = e.getKey();
      if (!n.group().equals(IngressMetrics.GROUP)) {
        continue;
      }
      if (n.name().equals(IngressMetrics.ERASURE_TO_RECEIPT + "-bucket")) {
        String le = n.tags().get("le");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        int i = bounds.indexOf(bound);
        if (i >= 0) {
          cumulative[i] += value(e.getValue());
        }
      } else if (n.name().equals(IngressMetrics.ERASURE_TO_RECEIPT + "-count")) {
        count += value(e.getValue());
      } else if (n.name().equals(IngressMetrics.ERASURE_TO_RECEIPT + "-sum")) {
        sum += value(e.getValue());
      }
    }
    // Prometheus' model wants each bucket's own count, not the cumulative one
    long[] own = new long[bounds.size()];
    for (int i = 0; i < own.length; i++) {
      own[i] = (long) (cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]));
    }
    double[] upper = bounds.stream().mapToDouble(Double::doubleValue).toArray();
    return HistogramSnapshot.builder()
        .name(ERASURE_TO_RECEIPT.name())
        .help(ERASURE_TO_RECEIPT.help())
        .dataPoint(
            HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, own))
                .sum(count == 0 ? 0 : sum)
                .build())
        .build();
  }

  private static MetricSnapshot counter(Family family, Map<Labels, Double> points) {
    // the text format adds the _total back
    String name = family.name().substring(0, family.name().length() - "_total".length());
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(family.help());
    points.forEach(
        (labels, value) ->
            b.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels)
                    .value(value)
                    .build()));
    return b.build();
  }

  private static MetricSnapshot gauge(Family family, Map<Labels, Double> points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(family.name()).help(family.help());
    points.forEach(
        (labels, value) ->
            b.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(labels)
                    .value(value)
                    .build()));
    return b.build();
  }
}
