package io.lethe.cluster;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.job.rest.DashboardProxy;
import io.lethe.job.rest.FlinkRestTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The local cluster's read-only Flink dashboard in a JVM of its own ({@link DashboardProxy} on
 * 127.0.0.1): {@code DashboardMain --port N --flink-conf-dir DIR}, where {@code DIR}'s {@code
 * config.yaml} names the REST endpoint and the client certificate; runs until SIGTERM.
 */
@Command(
    name = "dashboard",
    description =
        "Lethe's read-only Flink dashboard, a proxy of Flink's REST API that forwards only reads,"
            + " until stopped.")
public final class DashboardMain implements Callable<Integer> {
  @Mixin StandardOptions standard;
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = Values.FixedPort.class,
      defaultValue = "8281",
      description = "HTTP port, on 127.0.0.1.")
  int port;

  @Option(
      names = "--flink-conf-dir",
      required = true,
      paramLabel = "DIR",
      description =
          "A Flink client configuration directory: its config.yaml names the REST endpoint"
              + " (rest.address, rest.port) and the client certificate (security.ssl.rest.*).")
  Path flinkConfDir;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the dashboard with {@code args} until the process is stopped.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new DashboardMain(), args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!Files.isRegularFile(flinkConfDir.resolve("config.yaml"))) {
      throw new ParameterException(
          spec.commandLine(), "--flink-conf-dir " + flinkConfDir + " has no config.yaml");
    }
    Configuration conf = GlobalConfiguration.loadConfiguration(flinkConfDir.toString());
    Optional<FlinkRestTls> tls;
    try {
      tls = FlinkRestTls.fromConfiguration(conf);
      tls.ifPresent(FlinkRestTls::sslContext);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--flink-conf-dir: " + e.getMessage());
    }
    String upstream =
        (tls.isPresent() ? "https://" : "http://")
            + conf.get(RestOptions.ADDRESS)
            + ":"
            + conf.get(RestOptions.PORT);
    DashboardProxy proxy =
        DashboardProxy.start(
            "127.0.0.1", port, upstream, tls.map(FlinkRestTls::sslContext).orElse(null));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  stopped.countDown();
                },
                "dashboard-shutdown"));
    System.out.println("dashboard: serving " + proxy.url() + " (read-only) for " + upstream);
    stopped.await();
    return Cli.OK;
  }
}
