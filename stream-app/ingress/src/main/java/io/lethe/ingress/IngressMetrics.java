package io.lethe.ingress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.CompoundStat;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The ingress's metrics, registered through Kafka Streams' own metrics registry so they appear in
 * {@code KafkaStreams.metrics()} (and JMX) next to Streams' metrics, in group {@value #GROUP}.
 *
 * <p>Sensors are shared by name, so every task and stream thread adds to the same counters. The
 * pending and overdue erasure gauges are per task (tag {@code task-id}): sum them for the
 * application's total.
 */
public final class IngressMetrics {
  /** Metric group of every ingress metric. */
  public static final String GROUP = "lethe-ingress";

  /** Records accepted and forwarded; tag {@code stream} is {@code samples} or {@code erasures}. */
  public static final String ACCEPTED = "accepted-total";

  /** Records rejected; tags {@code stream} and {@code reason} (a reason code). */
  public static final String REJECTED = "rejected-total";

  /** Duplicate samples dropped within the de-duplication window. */
  public static final String DUPLICATES = "duplicate-samples-total";

  /** Erasure requests waiting for models, per task (tag {@code task-id}). */
  public static final String PENDING = "pending-erasures";

  /** Erasure requests pending longer than the timeout, per task (tag {@code task-id}). */
  public static final String OVERDUE = "overdue-erasures";

  /** Receipts published; tag {@code status} is {@code COMPLETED} or {@code REJECTED}. */
  public static final String RECEIPTS = "receipts-total";

  /** Name of the counter of erasure retries (same request id, same content). */
  public static final String RETRIES = "erasure-retries-total";

  /**
   * Seconds from an erasure request's arrival to its receipt, a histogram: metrics {@code
   * erasure-to-receipt-seconds-bucket} (tag {@code le}, the bucket's upper bound; cumulative
   * counts, as in Prometheus), {@code -count} and {@code -sum}.
   */
  public static final String ERASURE_TO_RECEIPT = "erasure-to-receipt-seconds";

  /** Upper bounds of the {@link #ERASURE_TO_RECEIPT} buckets, in seconds (and +Inf). */
  public static final List<Double> ERASURE_TO_RECEIPT_BUCKETS =
      List.of(0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0);

  /** Tag value of {@link #ACCEPTED} and {@link #REJECTED} for training samples. */
  public static final String SAMPLES = "samples";

  /** Tag value of {@link #ACCEPTED} and {@link #REJECTED} for erasure requests. */
  public static final String ERASURES = "erasures";

  private final StreamsMetrics metrics;

  /** Metrics registered in {@code metrics}, usually {@code ProcessorContext.metrics()}. */
  public IngressMetrics(StreamsMetrics metrics) {
    this.metrics = metrics;
  }

  /** Counts one record of {@code stream} accepted. */
  public void accepted(String stream) {
    counter(ACCEPTED, "Records accepted and forwarded", Map.of("stream", stream)).record();
  }

  /** Counts one record of {@code stream} rejected for {@code reasonCode}. */
  public void rejected(String stream, String reasonCode) {
    counter(REJECTED, "Records rejected, by reason", Map.of("stream", stream, "reason", reasonCode))
        .record();
  }

  /** Counts one duplicate sample. */
  public void duplicate() {
    counter(DUPLICATES, "Duplicate samples dropped", Map.of()).record();
  }

  /** Counts one erasure request that repeated an earlier one's id and content (a retry). */
  public void retry() {
    counter(RETRIES, "Erasure requests recognised as retries of an earlier request", Map.of())
        .record();
  }

  /** Counts one receipt published with {@code status}. */
  public void receipt(String status) {
    counter(RECEIPTS, "Erasure receipts published", Map.of("status", status)).record();
  }

  /** Sets the number of pending and overdue erasure requests held by task {@code taskId}. */
  public void pendingErasures(String taskId, long pending, long overdue) {
    gauge(PENDING, "Erasure requests waiting for models", taskId).record(pending);
    gauge(OVERDUE, "Erasure requests pending longer than the timeout", taskId).record(overdue);
  }

  /** Records the time from an erasure request's arrival to its receipt. */
  public void erasureToReceipt(Duration latency) {
    Sensor sensor =
        metrics.addSensor(sensorName(ERASURE_TO_RECEIPT, Map.of()), Sensor.RecordingLevel.INFO);
    synchronized (sensor) {
      // unlike add(MetricName, stat), adding a compound stat twice would count twice
      if (!sensor.hasMetrics()) {
        sensor.add(new CumulativeHistogram(ERASURE_TO_RECEIPT, ERASURE_TO_RECEIPT_BUCKETS));
      }
    }
    sensor.record(latency.toNanos() / 1e9);
  }

  private Sensor counter(String name, String description, Map<String, String> tags) {
    Sensor sensor = metrics.addSensor(sensorName(name, tags), Sensor.RecordingLevel.INFO);
    // add() is idempotent for a metric the sensor already has.
    sensor.add(new MetricName(name, GROUP, description, tags), new CumulativeCount());
    return sensor;
  }

  private Sensor gauge(String name, String description, String taskId) {
    Map<String, String> tags = Map.of("task-id", taskId);
    Sensor sensor = metrics.addSensor(sensorName(name, tags), Sensor.RecordingLevel.INFO);
    sensor.add(new MetricName(name, GROUP, description, tags), new Value());
    return sensor;
  }

  /**
   * A histogram in Kafka's metrics: cumulative bucket counts, a count and a sum, never reset (Kafka
   * has only windowed percentiles).
   */
  private static final class CumulativeHistogram implements CompoundStat {
    private final String name;
    private final List<Double> bounds;
    private final LongAdder[] buckets;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    CumulativeHistogram(String name, List<Double> bounds) {
      this.name = name;
      this.bounds = bounds;
      this.buckets = new LongAdder[bounds.size()];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    @Override
    public void record(MetricConfig config, double value, long timeMs) {
      for (int i = 0; i < buckets.length; i++) {
        if (value <= bounds.get(i)) {
          buckets[i].increment();
        }
      }
      count.increment();
      sum.add(value);
    }

    @Override
    public List<NamedMeasurable> stats() {
      List<NamedMeasurable> stats = new ArrayList<>();
      for (int i = 0; i < buckets.length; i++) {
        LongAdder bucket = buckets[i];
        stats.add(
            new NamedMeasurable(
                new MetricName(
                    name + "-bucket",
                    GROUP,
                    "Observations at or below the bound le",
                    Map.of("le", String.valueOf(bounds.get(i)))),
                (config, now) -> bucket.sum()));
      }
      stats.add(
          new NamedMeasurable(
              new MetricName(name + "-bucket", GROUP, "Observations", Map.of("le", "+Inf")),
              (config, now) -> count.sum()));
      stats.add(
          new NamedMeasurable(
              new MetricName(name + "-count", GROUP, "Observations", Map.of()),
              (config, now) -> count.sum()));
      stats.add(
          new NamedMeasurable(
              new MetricName(name + "-sum", GROUP, "Sum of the observations", Map.of()),
              (config, now) -> sum.sum()));
      return stats;
    }
  }

  private static String sensorName(String name, Map<String, String> tags) {
    // Sensors are global to the registry: the name must be unique per metric and tag set.
    StringBuilder sb = new StringBuilder(GROUP).append('.').append(name);
    tags.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append('.').append(e.getKey()).append('=').append(e.getValue()));
    return sb.toString();
  }
}
