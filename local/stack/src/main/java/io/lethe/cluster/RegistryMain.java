package io.lethe.cluster;

import io.lethe.cli.Cli;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Lethe's Confluent-compatible schema registry in a JVM of its own, storing its schemas in Kafka's
 * {@code _schemas} topic: the local cluster's stand-in for a Confluent registry. {@code
 * RegistryMain --bootstrap HOST:PORT --port N}; runs until SIGTERM.
 */
@Command(
    name = "registry",
    description =
        "Lethe's schema registry, storing its schemas in Kafka's _schemas topic, until stopped.")
public final class RegistryMain implements Callable<Integer> {
  @Mixin StandardOptions standard;

  @Option(
      names = "--bootstrap",
      required = true,
      paramLabel = "HOST:PORT",
      converter = Values.Bootstrap.class,
      description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = Values.FixedPort.class,
      defaultValue = "8282",
      description = "HTTP port.")
  int port;

  @Mixin KafkaConfigOption kafkaConfig;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the registry with {@code args} until the process is stopped.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new RegistryMain(), args);
  }

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.start(
            bootstrap,
            kafkaConfig.config().kafkaProperties(),
            EmbeddedSchemaRegistry.DEFAULT_TOPIC,
            port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  registry.close();
                  stopped.countDown();
                },
                "registry-shutdown"));
    System.out.println("registry: serving " + registry.url() + " from Kafka at " + bootstrap);
    stopped.await();
    return Cli.OK;
  }
}
