package io.lethe.cli;

import picocli.CommandLine.Option;

/**
 * The Kafka cluster and the schema registry that a long-running command connects to: {@code
 * --bootstrap} and {@code --registry}, both required (a mixin).
 */
public final class KafkaOptions {
  @Option(
      names = "--bootstrap",
      required = true,
      paramLabel = "HOST:PORT",
      converter = Values.Bootstrap.class,
      description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(
      names = "--registry",
      required = true,
      paramLabel = "URL",
      converter = Values.HttpUrl.class,
      description =
          "Confluent-compatible schema registry, e.g. http://host:8081 (or schema.registry.url"
              + " in the --kafka-config file, where a command has it).")
  String registry;

  /** The bootstrap servers, {@code HOST:PORT[,HOST:PORT...]}. */
  public String bootstrap() {
    return bootstrap;
  }

  /** The registry's URL. */
  public String registry() {
    return registry;
  }
}
