package io.lethe.ingress;

import java.util.Map;
import org.apache.kafka.common.MetricName;
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

  private static String sensorName(String name, Map<String, String> tags) {
    // Sensors are global to the registry: the name must be unique per metric and tag set.
    StringBuilder sb = new StringBuilder(GROUP).append('.').append(name);
    tags.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append('.').append(e.getKey()).append('=').append(e.getValue()));
    return sb.toString();
  }
}
