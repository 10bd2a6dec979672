package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe bench}'s options for an external stack, refused before anything starts. */
class EndToEndBenchmarkOptionsTest {
  @TempDir Path dir;

  @Test
  void shouldRefuseAKafkaConfigFileWithoutAnExternalStack() throws Exception {
    Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SSL\n");

    assertThat(refused("--kafka-config", file.toString(), "--out", dir.toString()))
        .isEqualTo(
            "lethe bench: Option '--kafka-config' needs '--bootstrap' (an external stack); the"
                + " embedded stack has its own; see 'lethe bench --help'");
  }

  @Test
  void shouldRefuseRegistryCredentialsItCannotUseNamingTheOption() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "schema.registry.url=http://127.0.0.1:1\nbasic.auth.credentials.source=SASL_INHERIT\n");

    assertThat(
            refused(
                "--bootstrap",
                "127.0.0.1:1",
                "--service",
                "http://127.0.0.1:1",
                "--kafka-config",
                file.toString(),
                "--out",
                dir.toString()))
        .isEqualTo(
            "lethe bench: Invalid value for option '--kafka-config': basic.auth.credentials.source"
                + " is 'SASL_INHERIT'; Lethe's registry client supports USER_INFO and URL; see"
                + " 'lethe bench --help'");
  }

  private static String refused(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Cli.run(
            new EndToEndBenchmark(),
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(Cli.USAGE);
    return err.toString(StandardCharsets.UTF_8).strip();
  }
}
