package io.lethe.cluster;

import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.schemas.cli.CommandLine;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Lethe's Confluent-compatible schema registry in a JVM of its own, storing its schemas in Kafka's
 * {@code _schemas} topic: the local cluster's stand-in for a Confluent registry. {@code
 * RegistryMain --bootstrap HOST:PORT --port N}; runs until SIGTERM.
 */
public final class RegistryMain {
  private RegistryMain() {}

  public static void main(String[] args) throws InterruptedException {
    String bootstrap;
    int port;
    try {
      CommandLine line = CommandLine.parse(args, List.of("--bootstrap", "--port"), List.of());
      bootstrap = line.bootstrapServers("--bootstrap");
      port = (int) line.number("--port", 8282, 1, 65_535);
    } catch (CommandLine.UsageException e) {
      System.err.println("registry: " + e.getMessage());
      System.err.println("usage: RegistryMain --bootstrap HOST:PORT [--port N]");
      System.exit(2);
      return;
    }
    EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.start(bootstrap, EmbeddedSchemaRegistry.DEFAULT_TOPIC, port);
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
  }
}
