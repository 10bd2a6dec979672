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
        .contains("--cluster is 'http://localhost:8281', expected the JobManager's REST HOST:PORT");
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
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read --catalog");
  }
}
