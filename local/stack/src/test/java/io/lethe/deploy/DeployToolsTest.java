package io.lethe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the tools that read the files under {@code deploy/} on them: promtool checks and unit-tests
 * the Prometheus rules and checks the Compose stack's Prometheus configuration, kubectl renders
 * both kustomizations, and docker-compose accepts the Compose file. A missing tool fails the test
 * with the package that provides it.
 */
class DeployToolsTest {
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  private static Path deploy;

  @BeforeAll
  static void findDeploy() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("deploy/README.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory holding deploy/README.md").isNotNull();
    deploy = dir.resolve("deploy");
  }

  @Test
  void shouldPassPromtoolCheckRules() throws Exception {
    Result result =
        run(deploy.resolve("prometheus"), promtool(), "check", "rules", "lethe-rules.yaml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void shouldPassEveryRuleUnitTest() throws Exception {
    List<String> command = new ArrayList<>(List.of(promtool(), "test", "rules"));
    try (var tests = Files.list(deploy.resolve("prometheus/tests"))) {
      tests
          .filter(f -> f.toString().endsWith(".yaml"))
          .sorted()
          .forEach(f -> command.add(deploy.resolve("prometheus").relativize(f).toString()));
    }
    assertThat(command).hasSizeGreaterThan(3);
    Result result = run(deploy.resolve("prometheus"), command.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void shouldTestEveryAlertFiringAndNotFiring() throws Exception {
    String rules = Files.readString(deploy.resolve("prometheus/lethe-rules.yaml"));
    List<String> alerts = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\S+)").matcher(rules);
    while (m.find()) {
      alerts.add(m.group(1));
    }
    assertThat(alerts).isNotEmpty();
    String tests = Files.readString(deploy.resolve("prometheus/tests/lethe-rules-test.yaml"));
    for (String alert : alerts) {
      Matcher cases =
          Pattern.compile(
                  "alertname: " + Pattern.quote(alert) + "\\s*\\n\\s*exp_alerts:(\\s*\\[\\])?")
              .matcher(tests);
      boolean firing = false;
      boolean silent = false;
      while (cases.find()) {
        if (cases.group(1) == null) {
          firing = true;
        } else {
          silent = true;
        }
      }
      assertThat(firing).as("a test of %s firing", alert).isTrue();
      assertThat(silent).as("a test of %s not firing", alert).isTrue();
    }
  }

  /**
   * The Compose Prometheus's configuration as the container sees it: prometheus.yml and the rules
   * file laid out in a directory as compose.yaml mounts them, so that promtool also finds and
   * checks the rule files it names.
   */
  @Test
  void shouldPassPromtoolCheckConfigAsComposeMountsIt(@TempDir Path etc) throws Exception {
    String compose = Files.readString(deploy.resolve("compose/compose.yaml"));
    Matcher mounts =
        Pattern.compile("- (\\S+):/etc/prometheus/(\\S+?)(:ro)?\\s*\\n").matcher(compose);
    List<String> mounted = new ArrayList<>();
    while (mounts.find()) {
      Path source = deploy.resolve("compose").resolve(mounts.group(1)).normalize();
      assertThat(source).as("mounted file %s", mounts.group(1)).isRegularFile();
      Files.copy(source, etc.resolve(mounts.group(2)));
      mounted.add(mounts.group(2));
    }
    assertThat(mounted).contains("prometheus.yml", "lethe-rules.yaml");
    Result result = run(etc, promtool(), "check", "config", "prometheus.yml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).containsPattern("SUCCESS: \\d+ rules found");
  }

  @Test
  void shouldRenderBothKustomizations() throws Exception {
    for (String overlay : List.of("k8s/base", "k8s/gpu")) {
      Result result = run(deploy, kubectl(), "kustomize", overlay);
      assertThat(result.exitCode()).as("%s: %s", overlay, result.output()).isZero();
      assertThat(result.output())
          .as(overlay)
          .contains("kind: Kafka\n")
          .contains("kind: KafkaNodePool")
          .contains("kind: FlinkDeployment")
          .contains("name: lethe-prometheus-rules")
          .contains("name: lethe-grafana-dashboard")
          .contains("namespace: lethe");
    }
    assertThat(run(deploy, kubectl(), "kustomize", "k8s/gpu").output())
        .contains("nvidia.com/gpu: 1")
        .contains("image: lethe-flink-gpu:");
  }

  @Test
  void shouldBeAcceptedByDockerCompose() throws Exception {
    Result result =
        run(deploy.resolve("compose"), dockerCompose(), "-f", "compose.yaml", "config", "-q");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).isBlank();
  }

  /** The output of {@code kubectl kustomize} for an overlay, for other tests. */
  static String kustomize(Path deploy, String overlay) throws IOException, InterruptedException {
    Result result = run(deploy, kubectl(), "kustomize", overlay);
    assertThat(result.exitCode()).as("%s: %s", overlay, result.output()).isZero();
    return result.output();
  }

  private static String promtool() {
    return tool("promtool", "the Debian package prometheus (apt-get install prometheus)");
  }

  private static String kubectl() {
    return tool(
        "kubectl",
        "kubectl 1.27 or later (Debian's kubernetes-client is 1.20, whose kustomize cannot read"
            + " `patches`; .ci/run says where it comes from)");
  }

  private static String dockerCompose() {
    return tool(
        "docker-compose", "the Debian package docker-compose (apt-get install docker-compose)");
  }

  /** The tool's path on PATH; fails, naming what provides it, if it is missing. */
  private static String tool(String name, String providedBy) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError(name + " is not on the PATH: install " + providedBy);
  }

  record Result(int exitCode, String output) {}

  private static Result run(Path dir, String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("lethe-deploy-tool", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in time");
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
