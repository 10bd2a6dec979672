package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
import io.lethe.schemas.snapshot.SigningKeys;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/** The job's settings from the command line: defaults, parsing and errors naming the option. */
class JobSettingsTest {
  private static JobSettings parse(String... more) {
    String[] base = {
      "--catalog", "catalog.yaml", "--bootstrap", "localhost:9092", "--registry", "http://r:8081"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return LearnerJobMain.parse(args);
  }

  @Test
  void shouldRememberRequestIdsForSevenDaysByDefault() {
    assertThat(parse().requestIdRetention()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void shouldParseTheRequestIdRetention() {
    assertThat(parse("--request-id-retention", "30d").requestIdRetention())
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void shouldRefuseAnInvalidRequestIdRetentionNamingTheOption() {
    assertThatThrownBy(() -> parse("--request-id-retention", "0s"))
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("Invalid value for option '--request-id-retention': '0s' is not");
    assertThatThrownBy(() -> parse("--request-id-retention", "soon"))
        .hasMessageStartingWith(
            "Invalid value for option '--request-id-retention': 'soon' is not a positive duration");
  }

  @Test
  void shouldPublishHeartbeatsEveryTwoSecondsByDefault() {
    assertThat(parse().heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(parse("--heartbeat-interval", "500ms").heartbeatInterval())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void shouldRefuseAHeartbeatIntervalTooLongToNoticeAStoppedLearnerInTime() {
    assertThatThrownBy(() -> parse("--heartbeat-interval", "10s"))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "--heartbeat-interval is 10000ms, expected at most 5000ms so that a stopped learner"
                + " is noticed within 30 seconds");
    assertThatThrownBy(() -> parse("--heartbeat-interval", "0s"))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "Invalid value for option '--heartbeat-interval': '0s' is not a positive duration"
                + " like 500ms, 30s, 10m, 1h or 7d");
  }

  @Test
  void shouldTakeEverySettingFromTheCommandLine() {
    JobSettings settings =
        parse(
            "--parallelism", "2",
            "--checkpoint-interval", "500ms",
            "--micro-batch", "64",
            "--tombstone-retention", "1d",
            "--rest-port", "0",
            "--checkpoint-dir", "/tmp/cp");
    assertThat(settings.parallelism()).isEqualTo(2);
    assertThat(settings.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.microBatchSize()).isEqualTo(64);
    assertThat(settings.tombstoneRetention()).isEqualTo(Duration.ofDays(1));
    assertThat(settings.restPort()).isZero();
    assertThat(settings.checkpointDirectory()).isEqualTo(java.nio.file.Path.of("/tmp/cp"));
  }

  @Test
  void shouldPassEverySettingToTheClusterJob() {
    JobSettings settings = parse("--parallelism", "3", "--heartbeat-interval", "1s");
    java.util.List<String> args = JobSubmission.programArguments(settings, false);
    args.addAll(java.util.List.of("--catalog", "catalog.yaml"));
    assertThat(LearnerJobMain.parse(args.toArray(String[]::new))).isEqualTo(settings);
  }

  @Test
  void shouldPassTheSigningKeyToTheClusterJobAsAPathNotAKey(@TempDir Path dir) {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    JobSettings settings = parse("--signing-key", keys.privateKey().toString());
    assertThat(settings.signingKey()).isEqualTo(keys.privateKey());
    assertThat(parse().signingKey()).isNull();

    java.util.List<String> args = JobSubmission.programArguments(settings, false);
    assertThat(String.join(" ", args)).contains("--signing-key " + keys.privateKey());
    assertThat(String.join(" ", args)).doesNotContain("PRIVATE KEY");
    args.addAll(java.util.List.of("--catalog", "catalog.yaml"));
    assertThat(LearnerJobMain.parse(args.toArray(String[]::new))).isEqualTo(settings);
  }

  @Test
  void shouldRefuseASigningKeyFileWithoutAPrivateKeyNamingTheOption(@TempDir Path dir) {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    LearnerJobMain command =
        LearnerJobMain.parsed(
            "--catalog",
            "catalog.yaml",
            "--bootstrap",
            "localhost:9092",
            "--registry",
            "http://r:8081",
            "--signing-key",
            keys.publicKey().toString());
    JobSettings settings = command.settings();
    assertThatThrownBy(() -> command.checkSigningKey(settings))
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith(
            "--signing-key: signing key file "
                + keys.publicKey()
                + " holds 0 PEM PRIVATE KEY blocks, expected 1");
    command.checkSigningKey(settings.withSigningKey(keys.privateKey())); // a good one passes
  }

  @Test
  void shouldTakeEveryDeclaredSettingAsItsCommandLineOption() {
    for (SettingDef<?> setting : JobSettings.SETTINGS) {
      JobSettings parsed = parse(setting.cliOption(), changed(setting));
      assertThat(parsed).as(setting.cliOption()).isNotEqualTo(parse());
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
}
