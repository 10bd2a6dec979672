package io.lethe.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe cluster}'s command line, checked before any process starts. */
class LocalClusterMainTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = Cli.commandLine(new LocalClusterMain());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return Cli.execute(line, args);
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutStartingAnything() {
    assertThat(run("--help")).isZero();
    assertThat(run("-h")).isZero();
    assertThat(run("up", "--help")).isZero();
    assertThat(run("help", "down")).isZero();
    assertThat(run()).isZero();
    assertThat(out.toString())
        .contains("Usage: lethe cluster", "Usage: lethe cluster up", "Usage: lethe cluster down")
        .contains("--task-managers=N", "--purge");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldNameAnUnknownSubcommandOrOptionOnOneLine() {
    assertThat(run("start")).isEqualTo(2);
    assertThat(run("up", "--slot", "3")).isEqualTo(2);
    assertThat(run("up", "--slots", "65")).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "lethe cluster: Unknown command: 'start' (expected up, status, down, help); see 'lethe"
                + " cluster --help'",
            "lethe cluster up: Unknown option: '--slot' (did you mean --slots?); see 'lethe"
                + " cluster up --help'",
            "lethe cluster up: Invalid value for option '--slots': '65' is not a whole number from"
                + " 1 to 64; see 'lethe cluster up --help'");
  }

  @Test
  void shouldReadTheConfigFileOfUpBeforeStartingAnything() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("cluster.properties"),
            "slots=4\nflink-classpath=" + dir.resolve("missing.txt") + "\n");
    // the missing class-path file, from the config file, stops `up` before any process starts
    assertThat(run("up", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--flink-classpath " + dir.resolve("missing.txt"));
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void shouldRefuseABadCatalogBeforeStartingAnything() throws Exception {
    Path classpath = Files.writeString(dir.resolve("flink-classpath.txt"), "flink.jar");
    Path catalog = Files.writeString(dir.resolve("catalog.yaml"), "models: [{name: m}]\n");
    assertThat(
            run(
                "up",
                "--state-dir",
                dir.resolve("state").toString(),
                "--flink-classpath",
                classpath.toString(),
                "--catalog",
                catalog.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).startsWith("lethe cluster up: --catalog " + catalog + ": ");
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(dir.resolve("state")).doesNotExist();
  }
}
