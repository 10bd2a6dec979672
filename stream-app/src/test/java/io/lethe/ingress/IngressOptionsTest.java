package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
import io.lethe.schemas.cli.CommandLine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code lethe ingress} command line: every error names the option. */
class IngressOptionsTest {
  private static final String[] REQUIRED = {
    "--catalog",
    "catalog.yaml",
    "--bootstrap",
    "localhost:9092",
    "--registry",
    "http://localhost:8081"
  };

  @Test
  void shouldParseTheRequiredOptionsWithDefaults() {
    IngressOptions options = IngressOptions.parse(REQUIRED);

    assertThat(options.catalog()).isEqualTo(Path.of("catalog.yaml"));
    assertThat(options.bootstrap()).isEqualTo("localhost:9092");
    assertThat(options.registry()).isEqualTo("http://localhost:8081");
    assertThat(options.httpPort()).isEqualTo(IngressOptions.DEFAULT_HTTP_PORT);
    assertThat(options.applicationId()).isEqualTo(IngressApp.DEFAULT_APPLICATION_ID);
    assertThat(options.settings()).isEqualTo(IngressSettings.defaults());
  }

  @Test
  void shouldParseTheOptionalOptions() {
    IngressOptions options =
        IngressOptions.parse(
            concat(
                REQUIRED,
                "--http-port",
                "0",
                "--state-dir",
                "/var/lib/lethe",
                "--pending-timeout",
                "90s"));

    assertThat(options.httpPort()).isZero();
    assertThat(options.stateDir()).isEqualTo(Path.of("/var/lib/lethe"));
    assertThat(options.settings().pendingTimeout()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void shouldNameAMissingRequiredOption() {
    assertThatThrownBy(() -> IngressOptions.parse("--catalog", "c.yaml", "--bootstrap", "h:1"))
        .isInstanceOf(CommandLine.UsageException.class)
        .hasMessage("option --registry is required");
  }

  @Test
  void shouldNameAnUnknownOption() {
    assertThatThrownBy(() -> IngressOptions.parse(concat(REQUIRED, "--port", "1")))
        .hasMessage("unknown option '--port'");
  }

  @Test
  void shouldNameAnOptionWithoutValue() {
    assertThatThrownBy(() -> IngressOptions.parse(concat(REQUIRED, "--http-port")))
        .hasMessage("option --http-port needs a value");
  }

  @Test
  void shouldNameABadBootstrapAddress() {
    assertThatThrownBy(
            () ->
                IngressOptions.parse(
                    "--catalog", "c.yaml", "--bootstrap", "localhost", "--registry", "http://r"))
        .hasMessage("option --bootstrap is 'localhost', expected HOST:PORT[,HOST:PORT...]");
  }

  @Test
  void shouldNameABadPort() {
    assertThatThrownBy(() -> IngressOptions.parse(concat(REQUIRED, "--http-port", "http")))
        .hasMessage("option --http-port is 'http', expected a port 0-65535, or -1 for none");
  }

  @Test
  void shouldNameTheOptionOfABadSetting() {
    assertThatThrownBy(() -> IngressOptions.parse(concat(REQUIRED, "--dedupe-window", "soon")))
        .hasMessage(
            "option --dedupe-window: ingress setting dedupe-window is 'soon',"
                + " expected a positive duration like 500ms, 30s, 10m, 1h or 7d");
  }

  @Test
  void shouldTakeEveryDeclaredSettingAsItsCommandLineOption() {
    for (SettingDef<?> setting : IngressSettings.SETTINGS) {
      IngressOptions options =
          IngressOptions.parse(concat(REQUIRED, setting.cliOption(), changed(setting)));
      assertThat(options.settings())
          .as(setting.cliOption())
          .isNotEqualTo(IngressSettings.defaults());
    }
  }

  /** Text of a valid value other than the default: its number one lower, or 2 for 1. */
  private static <T> String changed(SettingDef<T> setting) {
    String text = setting.format(setting.defaultValue().orElseThrow());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(.*)").matcher(text);
    assertThat(m.matches()).as(text).isTrue();
    long n = Long.parseLong(m.group(1));
    return (n == 1 ? 2 : n - 1) + m.group(2);
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
