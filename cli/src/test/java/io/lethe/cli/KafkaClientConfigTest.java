package io.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code --kafka-config FILE}: reading it, the layering rule and the masked log form. */
class KafkaClientConfigTest {
  @TempDir Path dir;

  private static final String SCRAM_FILE =
      """
      # a SASL_SSL client, as for Kafka's tools
      bootstrap.servers=elsewhere:9093
      client.id=acme
      security.protocol=SASL_SSL
      sasl.mechanism=SCRAM-SHA-512
      sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
          username="lethe-ingress" password="s3cr3t";
      ssl.truststore.location=/etc/lethe/truststore.p12
      ssl.truststore.password=changeit
      isolation.level=read_uncommitted
      max.poll.records=7
      schema.registry.url=https://registry:8081
      basic.auth.credentials.source=USER_INFO
      basic.auth.user.info=reader:pa55
      """;

  @Test
  void shouldKeepTheFilesValuesAndPutLethesRequiredSettingsOnTop() throws Exception {
    KafkaClientConfig config = KafkaClientConfig.load(write(SCRAM_FILE));

    Map<String, Object> layered =
        config.layer(
            "kafka:9092",
            "lethe-model-service",
            Map.of("isolation.level", "read_committed", "enable.auto.commit", "false"));

    assertThat(layered)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.password", "changeit")
        .containsEntry("max.poll.records", "7")
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("client.id", "acme-lethe-model-service")
        .doesNotContainKeys(
            "schema.registry.url", "basic.auth.credentials.source", "basic.auth.user.info");
    assertThat((String) layered.get("sasl.jaas.config"))
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"lethe-ingress\" password=\"s3cr3t\";");
    assertThat(config.properties()).containsEntry("schema.registry.url", "https://registry:8081");
  }

  @Test
  void shouldUseTheComponentsClientIdWithoutAFile() {
    assertThat(KafkaClientConfig.none().layer("k:1", "lethe-ingress", Map.of()))
        .isEqualTo(Map.of("bootstrap.servers", "k:1", "client.id", "lethe-ingress"));
  }

  @Test
  void shouldMaskEverySecretValueInTheLoggedForm() throws Exception {
    Map<String, Object> layered =
        KafkaClientConfig.load(write(SCRAM_FILE))
            .layer(
                "kafka:9092",
                "lethe-ingress",
                Map.of("key.serializer", String.class, "ssl.key.password", "kp"));

    String logged = KafkaClientConfig.describe(layered);

    assertThat(logged)
        .isEqualTo(
            "{bootstrap.servers=kafka:9092, client.id=acme-lethe-ingress,"
                + " isolation.level=read_uncommitted, key.serializer=java.lang.String,"
                + " max.poll.records=7, sasl.jaas.config=[hidden], sasl.mechanism=SCRAM-SHA-512,"
                + " security.protocol=SASL_SSL, ssl.key.password=[hidden],"
                + " ssl.truststore.location=/etc/lethe/truststore.p12,"
                + " ssl.truststore.password=[hidden]}")
        .doesNotContain("s3cr3t", "changeit", "kp");
    assertThat(KafkaClientConfig.describe(Map.of("basic.auth.user.info", "reader:pa55")))
        .isEqualTo("{basic.auth.user.info=[hidden]}");
    assertThat(KafkaClientConfig.describe(Map.of("bearer.auth.token", "t0k")))
        .isEqualTo("{bearer.auth.token=[hidden]}");
    assertThat(KafkaClientConfig.describe(Map.of("ssl.keystore.key", "-----BEGIN PRIVATE KEY")))
        .isEqualTo("{ssl.keystore.key=[hidden]}");
    assertThat(KafkaClientConfig.describe(Map.of("default.key.serde", "Serdes$StringSerde")))
        .isEqualTo("{default.key.serde=Serdes$StringSerde}");
    assertThat(
            KafkaClientConfig.describe(
                Map.of("sasl.oauthbearer.client.credentials.client.secret", "x")))
        .isEqualTo("{sasl.oauthbearer.client.credentials.client.secret=[hidden]}");
  }

  @Test
  void shouldNameTheFileWhenAClientCannotBeCreatedWithIt() throws Exception {
    Path file = write("security.protocol=SASL_SPAGHETTI\n");
    KafkaClientConfig config = KafkaClientConfig.load(file);

    assertThatThrownBy(
            () ->
                config.create(
                    "consumer lethe-model-service",
                    () -> {
                      throw new IllegalStateException(
                          "Failed to construct kafka consumer",
                          new IllegalArgumentException(
                              "Invalid value SASL_SPAGHETTI for configuration security.protocol"));
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot create the Kafka consumer lethe-model-service with the Kafka client properties"
                + " in "
                + file
                + ": Invalid value SASL_SPAGHETTI for configuration security.protocol");
  }

  @Command(name = "lethe sample")
  static final class Sample implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin ConfigFileOption config;
    @Mixin KafkaOptions kafka;
    @Mixin KafkaConfigOption kafkaConfig;

    @Override
    public Integer call() {
      return 0;
    }
  }

  @Test
  void shouldReadTheFileWhileParsingAndTakeTheRegistryUrlFromIt() throws Exception {
    Path file = write(SCRAM_FILE);
    Sample sample = new Sample();

    Cli.parse(Cli.commandLine(sample), "--bootstrap", "k:1", "--kafka-config", file.toString());

    assertThat(sample.kafka.registry()).isEqualTo("https://registry:8081");
    assertThat(sample.kafkaConfig.config().source()).contains(file);
    assertThat(sample.kafkaConfig.config().properties()).containsEntry("client.id", "acme");
  }

  @Test
  void shouldPreferRegistryOnTheCommandLineToTheFilesUrl() throws Exception {
    Sample sample = new Sample();

    Cli.parse(
        Cli.commandLine(sample),
        "--bootstrap",
        "k:1",
        "--registry",
        "http://r:1",
        "--kafka-config=" + write(SCRAM_FILE));

    assertThat(sample.kafka.registry()).isEqualTo("http://r:1");
  }

  @Test
  void shouldTakeTheKafkaConfigFileFromAConfigFile() throws Exception {
    Path kafka = write(SCRAM_FILE);
    Path config =
        Files.writeString(
            dir.resolve("lethe.properties"), "bootstrap=k:1\nkafka-config=" + kafka + "\n");
    Sample sample = new Sample();

    Cli.parse(Cli.commandLine(sample), "--config", config.toString());

    assertThat(sample.kafka.registry()).isEqualTo("https://registry:8081");
    assertThat(sample.kafkaConfig.config().source()).contains(kafka);
  }

  @Test
  void shouldStillRequireARegistryWhenTheFileHasNone() throws Exception {
    assertThat(run("--bootstrap", "k:1", "--kafka-config", write("acks=all\n").toString()))
        .isEqualTo(
            "lethe sample: Missing required option: '--registry=URL'; see 'lethe sample"
                + " --help'");
  }

  @Test
  void shouldRefuseAnUnreadableFileNamingTheOption() {
    Path missing = dir.resolve("missing.properties");

    assertThat(
            run(
                "--bootstrap",
                "k:1",
                "--registry",
                "http://r:1",
                "--kafka-config",
                missing.toString()))
        .startsWith(
            "lethe sample: Invalid value for option '--kafka-config': cannot read Kafka client"
                + " properties "
                + missing);
  }

  private String run(String... args) {
    CommandLine line = Cli.commandLine(new Sample());
    StringWriter err = new StringWriter();
    line.setErr(new PrintWriter(err, true));
    assertThat(Cli.execute(line, args)).isEqualTo(Cli.USAGE);
    return err.toString().strip();
  }

  private Path write(String text) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "client", ".properties"), text);
  }
}
