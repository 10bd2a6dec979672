package io.lethe.job.kafka;

import io.lethe.cli.KafkaClientConfig;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;

/**
 * The job's schema registry clients, made where its operators run: the URL travels in the job
 * graph, the credentials stay in a properties file ({@link
 * io.lethe.job.JobSettings#registryConfig}) read on the task manager, as the signing key is.
 */
public final class RegistryClients {
  private RegistryClients() {}

  /**
   * A client for {@code registryUrl} with the Confluent properties of {@code configFile} ({@code
   * basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*}), or none if it is null.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or its properties are
   *     unusable
   */
  public static SchemaRegistryClient open(String registryUrl, String configFile) {
    if (configFile == null) {
      return new SchemaRegistryClient(RegistryClientSettings.of(registryUrl));
    }
    KafkaClientConfig config = KafkaClientConfig.load(Path.of(configFile));
    try {
      return SchemaRegistryClient.create(registryUrl, config.properties());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the registry client properties in " + configFile + " are unusable: " + e.getMessage(),
          e);
    }
  }
}
