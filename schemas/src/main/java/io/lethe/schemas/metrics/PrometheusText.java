package io.lethe.schemas.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A component's {@code /metrics}: its own registry together with the JVM's and the process's
 * metrics ({@code jvm_*}, {@code process_*}), in the Prometheus text format.
 *
 * <p>The JVM metrics sit in one registry per JVM, shared by the components that run in it (the demo
 * runs the ingress and the service in one JVM): they describe the JVM, and Prometheus' {@link
 * JvmMetrics} keeps every registry it is registered with, and a garbage-collection listener for
 * each, for the life of the JVM, so registering it with each component's registry would keep every
 * stopped component and add a listener per start.
 */
public final class PrometheusText {
  /** Content type of {@link #scrape}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** The exposition of {@code registry} and of this JVM. */
  public PrometheusText(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /** The registry of this JVM's metrics, made on first use. */
  private static final class Jvm {
    static final PrometheusRegistry REGISTRY = create();

    private static PrometheusRegistry create() {
      PrometheusRegistry jvm = new PrometheusRegistry();
      JvmMetrics.builder().register(jvm);
      return jvm;
    }
  }

  /** The current values in the Prometheus text format. */
  public byte[] scrape() {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    registry.scrape().forEach(all::metricSnapshot);
    Jvm.REGISTRY.scrape().forEach(all::metricSnapshot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, all.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
