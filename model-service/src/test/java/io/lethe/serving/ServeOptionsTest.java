package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
import io.lethe.schemas.cli.CommandLine;
import org.junit.jupiter.api.Test;

class ServeOptionsTest {
  private static final String[] REQUIRED = {
    "--bootstrap", "localhost:9092", "--registry", "http://localhost:8081"
  };

  @Test
  void shouldApplyTheDefaults() {
    ServingSettings settings = ServeOptions.parse(REQUIRED);
    assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(settings.registryUrl()).isEqualTo("http://localhost:8081");
    assertThat(settings.modelsTopic()).isEqualTo("lethe.models");
    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.host()).isEqualTo("0.0.0.0");
    assertThat(settings.maxBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(settings.maxInstances()).isEqualTo(1024);
    assertThat(settings.intraOpThreads()).isEqualTo(1);
  }

  @Test
  void shouldReadEveryOption() {
    ServingSettings settings =
        ServeOptions.parse(
            "--bootstrap",
            "a:1,b:2",
            "--registry",
            "https://r",
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--topic",
            "m",
            "--max-body-bytes",
            "2048",
            "--max-instances",
            "7",
            "--intra-op-threads",
            "2");
    assertThat(settings)
        .isEqualTo(new ServingSettings("a:1,b:2", "https://r", "m", "127.0.0.1", 0, 2048, 7, 2));
  }

  @Test
  void shouldFollowTheLearnerStatusTopicWithAGraceForSlowCheckpoints() {
    ServingSettings defaults = ServeOptions.parse(REQUIRED);
    assertThat(defaults.learnerStatusTopic()).isEqualTo("lethe.learner.status");
    assertThat(defaults.learnerGrace()).isEqualTo(ServingSettings.DEFAULT_LEARNER_GRACE);

    ServingSettings settings =
        ServeOptions.parse(
            "--bootstrap",
            "h:1",
            "--registry",
            "http://r",
            "--status-topic",
            "s",
            "--learner-grace-seconds",
            "4");
    assertThat(settings.learnerStatusTopic()).isEqualTo("s");
    assertThat(settings.learnerGrace()).isEqualTo(java.time.Duration.ofSeconds(4));
    assertRefused(
        "option --learner-grace-seconds is '301', expected a whole number 0-300",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--learner-grace-seconds",
        "301");
  }

  @Test
  void shouldNameTheOptionInEveryError() {
    assertRefused("option --bootstrap is required", "--registry", "http://r");
    assertRefused("option --registry is required", "--bootstrap", "h:1");
    assertRefused(
        "option --bootstrap is 'nohost', expected HOST:PORT[,HOST:PORT...]",
        "--bootstrap",
        "nohost",
        "--registry",
        "http://r");
    assertRefused(
        "option --registry is 'r:8081', expected an http:// or https:// URL",
        "--bootstrap",
        "h:1",
        "--registry",
        "r:8081");
    assertRefused(
        "option --port is '70000', expected a whole number 0-65535",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--port",
        "70000");
    assertRefused(
        "option --max-instances is 'many', expected a whole number 1-2147483647",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--max-instances",
        "many");
    assertRefused("unknown option '--prot'", "--prot", "1");
    assertRefused("option --port needs a value", "--port");
    assertRefused("option --port is given twice", "--port", "1", "--port", "2");
  }

  private static void assertRefused(String message, String... args) {
    assertThatThrownBy(() -> ServeOptions.parse(args))
        .isInstanceOf(CommandLine.UsageException.class)
        .hasMessage(message);
  }

  @Test
  void shouldTakeEveryDeclaredSettingAsItsCommandLineOption() {
    for (SettingDef<?> setting : ServingSettings.SETTINGS) {
      String[] args = java.util.Arrays.copyOf(REQUIRED, REQUIRED.length + 2);
      args[REQUIRED.length] = setting.cliOption();
      args[REQUIRED.length + 1] = changed(setting);
      assertThat(ServeOptions.parse(args))
          .as(setting.cliOption())
          .isNotEqualTo(ServeOptions.parse(REQUIRED));
    }
  }

  /** Text of a valid value other than the default: its number one lower, or 2 for 1. */
  private static <T> String changed(SettingDef<T> setting) {
    long n = Long.parseLong(setting.format(setting.defaultValue().orElseThrow()));
    return String.valueOf(n == 1 ? 2 : n - 1);
  }
}
