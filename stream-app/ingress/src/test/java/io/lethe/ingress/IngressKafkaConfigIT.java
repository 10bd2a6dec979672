package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.Cli;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The ingress with a {@code --kafka-config} file, on a real KRaft broker. */
class IngressKafkaConfigIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir Path dir;

  @Test
  void shouldGiveTheFilesPropertiesToItsKafkaClients() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol=PLAINTEXT\nclient.id=acme-ingress\n"
                + "processing.guarantee=at_least_once\n");
    TopicNames names = TopicNames.defaults();
    String applicationId = "lethe-ingress-kafka-config-it";
    IngressApp.Connection connection =
        new IngressApp.Connection(
            applicationId,
            kafka.bootstrapServers(),
            dir.resolve("state"),
            -1,
            "localhost",
            KafkaClientConfig.load(file));
    try (IngressApp app =
        IngressApp.start(
            connection,
            LetheTopics.create(names, kafka.registryClient()),
            names,
            ModelCatalog.load(catalogFile()),
            IngressSettings.defaults())) {
      Await.until(
          "ingress running", BOUND, () -> app.streams().state() == KafkaStreams.State.RUNNING);

      // The broker sees the file's client.id as the prefix of the ingress's consumer.
      Await.until(
          "the ingress's consumer in its group", BOUND, () -> !members(applicationId).isEmpty());
      assertThat(members(applicationId))
          .extracting(MemberDescription::clientId)
          .allSatisfy(id -> assertThat(id).startsWith("acme-ingress-StreamThread-"));
      // What the ingress needs to be correct wins over the file.
      assertThat(
              IngressApp.streamsConfig(
                      connection,
                      null,
                      LetheTopics.create(names, kafka.registryClient()),
                      IngressSettings.defaults())
                  .getProperty("processing.guarantee"))
          .isEqualTo("exactly_once_v2");
    }
  }

  @Test
  void shouldRefuseToStartWithAnInvalidSecurityProtocolNamingTheFile() throws Exception {
    Path file =
        Files.writeString(dir.resolve("bad-client.properties"), "security.protocol=SASL_PLAIN\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit =
        Cli.run(
            new IngressMain(),
            new String[] {
              "--catalog", catalogFile().toString(),
              "--bootstrap", kafka.bootstrapServers(),
              "--registry", kafka.registryUrl(),
              "--kafka-config", file.toString(),
              "--port", "-1",
              "--state-dir", dir.resolve("state").toString()
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(Cli.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "lethe ingress: cannot start: cannot create the Kafka admin client"
                + " lethe-ingress-admin with the Kafka client properties in "
                + file
                + ": Invalid value SASL_PLAIN for configuration security.protocol");
  }

  private List<MemberDescription> members(String group) throws Exception {
    ConsumerGroupDescription description =
        kafka
            .admin()
            .describeConsumerGroups(List.of(group))
            .describedGroups()
            .get(group)
            .get(10, TimeUnit.SECONDS);
    return List.copyOf(description.members());
  }

  private Path catalogFile() throws Exception {
    Path file = dir.resolve("catalog.yaml");
    if (!Files.exists(file)) {
      try (InputStream in =
          ModelCatalog.class.getResourceAsStream("/io/lethe/catalog/default-catalog.yaml")) {
        Files.copy(in, file);
      }
    }
    return file;
  }
}
