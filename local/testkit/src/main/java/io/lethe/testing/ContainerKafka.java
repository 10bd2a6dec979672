package io.lethe.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka in a Testcontainers container, for machines that have a Docker engine. */
final class ContainerKafka implements KafkaBackend {
  static final String IMAGE = "apache/kafka:4.2.0";

  private final KafkaContainer container;

  private ContainerKafka(KafkaContainer container) {
    this.container = container;
  }

  /** Whether a Docker engine answers (the {@code docker} client alone is not enough). */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static ContainerKafka start() {
    KafkaContainer container =
        new KafkaContainer(DockerImageName.parse(IMAGE))
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(64 * 1024 * 1024))
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
    container.start();
    return new ContainerKafka(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public String description() {
    return "Testcontainers " + IMAGE;
  }

  @Override
  public void close() {
    container.stop();
  }
}
