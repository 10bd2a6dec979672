package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.cli.Cli;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The model service with a {@code --kafka-config} file, on a real KRaft broker. */
class ModelServiceKafkaConfigIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void shouldGiveTheFilesPropertiesToItsConsumersAndRegistryClient() throws Exception {
    String models = KafkaExtension.uniqueTopicName("models");
    String status = KafkaExtension.uniqueTopicName("status");
    KAFKA.createTopic(models);
    KAFKA.createTopic(status);
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol=PLAINTEXT\n"
                + "client.id=acme-serving\n"
                + "isolation.level=read_uncommitted\n"
                + "schema.registry.url="
                + KAFKA.registryUrl()
                + "\nbasic.auth.credentials.source=USER_INFO\n"
                + "basic.auth.user.info=lethe-serve:pa55\n");
    ServingSettings settings =
        ServeOptions.parse(
                "--bootstrap",
                KAFKA.bootstrapServers(),
                "--kafka-config",
                file.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--topic",
                models,
                "--status-topic",
                status,
                "--http-token-file",
                tokens().toString())
            .withKafkaConfig(KafkaClientConfig.load(file));

    try (ModelService service = ModelService.start(settings)) {
      Await.until("the service caught up with the models topic", BOUND, service::ready);

      // The consumers carry the file's client.id as their prefix: the real clients register
      // their metrics under it.
      var beans = ManagementFactory.getPlatformMBeanServer();
      assertThat(
              beans.isRegistered(
                  new ObjectName(
                      "kafka.consumer:type=app-info,id=acme-serving-lethe-model-service")))
          .isTrue();
      assertThat(
              beans.isRegistered(
                  new ObjectName(
                      "kafka.consumer:type=app-info,"
                          + "id=acme-serving-lethe-model-service-learner-status")))
          .isTrue();
      // What the service needs to be correct wins over the file.
      assertThat(
              SnapshotFollower.consumerProperties(settings.kafkaConfig(), "k:1")
                  .get("isolation.level"))
          .isEqualTo("read_committed");
    }
  }

  @Test
  void shouldRefuseToStartWithAnInvalidSecurityProtocolNamingTheFile() throws Exception {
    Path file =
        Files.writeString(dir.resolve("bad-client.properties"), "security.protocol=SASL_PLAIN\n");
    ServingSettings settings =
        ServingSettings.defaults(KAFKA.bootstrapServers(), KAFKA.registryUrl())
            .withHost("127.0.0.1")
            .withPort(0)
            .withKafkaConfig(KafkaClientConfig.load(file));

    assertThatThrownBy(() -> ModelService.start(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "cannot create the Kafka consumer lethe-model-service with the Kafka client properties"
                + " in "
                + file
                + ": Invalid value SASL_PLAIN for configuration security.protocol");
    assertThat(
            ServeMain.run(
                "--bootstrap", KAFKA.bootstrapServers(),
                "--registry", KAFKA.registryUrl(),
                "--kafka-config", file.toString(),
                "--host", "127.0.0.1",
                "--port", "0",
                "--http-token-file", tokens().toString()))
        .isEqualTo(Cli.FAILED);
  }

  /** A token file, which {@code lethe serve} needs to start. */
  private Path tokens() throws Exception {
    Path file = dir.resolve("http-tokens");
    return Files.exists(file) ? file : Files.writeString(file, "a-token-for-this-test-01\n");
  }
}
