package io.lethe.local.flink;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;

/**
 * Flink's Prometheus reporter, serving on one address rather than on every interface: the embedded
 * stack keeps all its listeners on the loopback address, and Flink's own {@code PrometheusReporter}
 * has no host option. The metric names, labels and types are Flink's, made by the same {@link
 * AbstractPrometheusReporter}, so a scrape of the embedded stack and of a cluster with Flink's
 * reporter read the same.
 *
 * <p>Configured as {@code metrics.reporter.<name>.factory.class} = {@link Factory} with {@code
 * host} and {@code port}.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
  /** The reporter option naming the address to bind. */
  public static final String HOST = "host";

  /** The reporter option naming the port to bind (one port, not a range). */
  public static final String PORT = "port";

  private final HTTPServer server;

  private LoopbackPrometheusReporter(String host, int port) {
    try {
      server = new HTTPServer(new InetSocketAddress(host, port), registryOf(this), true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve Flink's metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    log.info("Serving Flink's metrics for Prometheus at http://{}:{}/metrics", host, port);
  }

  /**
   * The registry Flink's reporter fills: a package-private field of {@link
   * AbstractPrometheusReporter} (its own subclass reaches it from Flink's package).
   */
  private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
    try {
      Field field = AbstractPrometheusReporter.class.getDeclaredField("registry");
      field.setAccessible(true);
      return (CollectorRegistry) field.get(reporter);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "this version of flink-metrics-prometheus has no registry field to serve", e);
    }
  }

  @Override
  public void close() {
    server.stop();
    super.close();
  }

  /**
   * The Flink configuration that serves the job's metrics at {@code host:port}, under reporter name
   * {@code prom} (as Flink's own reporter is usually named). Label values are kept as they are
   * ({@code filterLabelValueCharacters: false}): by default Flink's reporter turns every character
   * other than {@code [a-zA-Z0-9:_]} into {@code _}, so model {@code fmnist-analytic} would be
   * {@code fmnist_analytic} in the job's metrics and {@code fmnist-analytic} in the service's.
   */
  public static Map<String, String> configuration(String host, int port) {
    return Map.of(
        "metrics.reporter.prom.factory.class",
        Factory.class.getName(),
        "metrics.reporter.prom." + HOST,
        host,
        "metrics.reporter.prom." + PORT,
        String.valueOf(port),
        "metrics.reporter.prom.filterLabelValueCharacters",
        "false");
  }

  /** Creates the reporter; Flink finds it through {@code META-INF/services}. */
  public static final class Factory
      implements org.apache.flink.metrics.reporter.MetricReporterFactory {
    @Override
    public LoopbackPrometheusReporter createMetricReporter(java.util.Properties properties) {
      String host = properties.getProperty(HOST, "127.0.0.1");
      String port = properties.getProperty(PORT);
      if (port == null || !port.matches("\\d{1,5}")) {
        throw new IllegalArgumentException(
            "metrics.reporter.<name>." + PORT + " must be one port number, was " + port);
      }
      return new LoopbackPrometheusReporter(host, Integer.parseInt(port));
    }
  }
}
