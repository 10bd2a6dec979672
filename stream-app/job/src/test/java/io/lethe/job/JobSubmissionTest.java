package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe job --cluster}'s command-line errors, which name the option, before any upload. */
class JobSubmissionTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return JobSubmission.run(
        args,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String catalog() throws Exception {
    return Files.writeString(
            dir.resolve("catalog.yaml"),
            """
            datasets:
              - {name: fashion-mnist, features: 784, classes: 10}
            models:
              - {name: m, learner: analytic, dataset: fashion-mnist}
            """)
        .toString();
  }

  @Test
  void shouldRejectAClusterAddressThatIsNotHostAndPort() throws Exception {
    int code =
        run(
            "--cluster", "http://localhost:8281",
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "lethe job: Invalid value for option '--cluster': 'http://localhost:8281' is not the"
                + " JobManager's REST HOST:PORT; see 'lethe job --help'\n");
  }

  @Test
  void shouldRejectTheMiniClusterDashboardPortWithACluster() throws Exception {
    int code =
        run(
            "--cluster", "localhost:8281",
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282",
            "--rest-port", "8081");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rest-port sets the local");
  }

  @Test
  void shouldNameAMissingJobJar() throws Exception {
    int code =
        run(
            "--cluster", "localhost:1",
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282",
            "--job-jar", dir.resolve("nope.jar").toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--job-jar " + dir.resolve("nope.jar") + " does not exist");
  }

  @Test
  void shouldNameAMissingCatalog() {
    int code =
        run(
            "--cluster", "localhost:8281",
            "--catalog", dir.resolve("missing.yaml").toString(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("lethe job: model catalog " + dir.resolve("missing.yaml") + " does not exist");
  }

  @Test
  void shouldNameAFlinkConfigurationDirectoryWithoutAConfigFile() throws Exception {
    int code =
        run(
            "--cluster", "localhost:8281",
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282",
            "--flink-conf-dir", dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("lethe job: --flink-conf-dir " + dir + " has no config.yaml");
  }

  @Test
  void shouldNameAMissingKeyStoreOfTheFlinkConfiguration() throws Exception {
    Files.writeString(
        dir.resolve("config.yaml"),
        """
        security.ssl.rest.enabled: true
        security.ssl.rest.authentication-enabled: true
        security.ssl.rest.keystore: %s
        security.ssl.rest.keystore-password: "x"
        security.ssl.rest.truststore: %s
        security.ssl.rest.truststore-password: "x"
        """
            .formatted(dir.resolve("none.p12"), dir.resolve("none.p12")));
    int code =
        run(
            "--cluster", "localhost:8281",
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282",
            "--flink-conf-dir", dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(
            "lethe job: --flink-conf-dir: cannot read the key store " + dir.resolve("none.p12"));
  }

  @Test
  void shouldRefuseAFlinkConfigurationWithoutACluster() throws Exception {
    int code =
        run(
            "--catalog",
            catalog(),
            "--bootstrap",
            "localhost:9292",
            "--registry",
            "http://localhost:8282",
            "--flink-conf-dir",
            dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("lethe job: Option '--flink-conf-dir' needs '--cluster'");
  }

  @Test
  void shouldRefuseASavepointWithoutACluster() throws Exception {
    int code =
        run(
            "--catalog", catalog(),
            "--bootstrap", "localhost:9292",
            "--registry", "http://localhost:8282",
            "--savepoint", "/tmp/sp");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("lethe job: Option '--savepoint' needs '--cluster'");
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutStartingAnything() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String help : new String[] {"--help", "-h"}) {
      int code =
          JobSubmission.run(
              new String[] {help},
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).isZero();
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: lethe job")
        .contains("--cluster=HOST:PORT", "--config=FILE");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldReadAConfigFileThatTheCommandLineOverrides() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("job.properties"),
            "catalog=c.yaml\nbootstrap=kafka:9092\nregistry=http://r:8081\nparallelism=2\n"
                + "micro-batch=32\n");
    JobSettings settings = LearnerJobMain.parse("--config", file.toString(), "--parallelism", "4");
    assertThat(settings.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(settings.parallelism()).isEqualTo(4);
    assertThat(settings.microBatchSize()).isEqualTo(32);
  }
}
