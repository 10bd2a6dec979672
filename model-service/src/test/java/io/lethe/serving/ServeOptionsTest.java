package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.BearerTokens;
import io.lethe.cli.Cli;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.learners.settings.SettingDef;
import io.lethe.serving.console.ConsoleSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeOptionsTest {
  private static final String[] REQUIRED = {
    "--bootstrap", "localhost:9092", "--registry", "http://localhost:8081"
  };

  @TempDir Path dir;

  @TempDir static Path tokenDir;
  private static Path tokens;

  @BeforeAll
  static void writeTokens() throws Exception {
    tokens = Files.writeString(tokenDir.resolve("http-tokens"), "a-token-for-option-tests\n");
  }

  /** {@code lethe serve}'s parse, with the token file every start needs. */
  private static ServingSettings parse(String... args) {
    return ServeOptions.parse(concat(args, HttpAuthOptions.TOKEN_FILE, tokens.toString()));
  }

  @Test
  void shouldApplyTheDefaults() {
    ServingSettings settings = parse(REQUIRED);
    assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(settings.registryUrl()).isEqualTo("http://localhost:8081");
    assertThat(settings.modelsTopic()).isEqualTo("lethe.models");
    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.host()).as("this machine only, unless told").isEqualTo("127.0.0.1");
    assertThat(settings.maxBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(settings.maxInstances()).isEqualTo(1024);
    assertThat(settings.intraOpThreads()).isEqualTo(1);
  }

  @Test
  void shouldReadEveryOption() {
    ServingSettings settings =
        parse(
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
        .isEqualTo(
            new ServingSettings("a:1,b:2", "https://r", "m", "127.0.0.1", 0, 2048, 7, 2)
                .withHttpTokens(BearerTokens.of("a-token-for-option-tests")));
  }

  @Test
  void shouldReadTheKafkaConfigFileAndTakeTheRegistryFromIt() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                + "schema.registry.url=https://registry:8081\n");

    ServingSettings settings =
        parse("--bootstrap", "kafka:9093", "--kafka-config", file.toString());

    assertThat(settings.registryUrl()).isEqualTo("https://registry:8081");
    assertThat(settings.kafkaConfig().source()).contains(file);
    assertThat(settings.kafkaConfig().properties())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(parse(REQUIRED).kafkaConfig().source()).isEmpty();
  }

  @Test
  void shouldRefuseRegistryCredentialsItCannotUseBeforeStarting() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "schema.registry.url=http://r:8081\nbearer.auth.credentials.source=STATIC_TOKEN\n");

    assertRefused(
        "Invalid value for option '--kafka-config': bearer.auth.credentials.source is"
            + " STATIC_TOKEN but bearer.auth.token is missing",
        "--bootstrap",
        "k:1",
        "--kafka-config",
        file.toString(),
        HttpAuthOptions.TOKEN_FILE,
        tokens.toString());
  }

  @Test
  void shouldTrustNoKeysByDefaultAndTheKeysGivenWithTrustedKeys() {
    assertThat(parse(REQUIRED).trustedKeys()).isEmpty();
    String[] args = {
      "--bootstrap", "localhost:9092", "--registry", "http://r", "--trusted-keys", "a.pub,keys"
    };
    assertThat(parse(args).trustedKeys()).containsExactly(Path.of("a.pub"), Path.of("keys"));
  }

  @Test
  void shouldFollowTheLearnerStatusTopicWithAGraceForSlowCheckpoints() {
    ServingSettings defaults = parse(REQUIRED);
    assertThat(defaults.learnerStatusTopic()).isEqualTo("lethe.learner.status");
    assertThat(defaults.learnerGrace()).isEqualTo(ServingSettings.DEFAULT_LEARNER_GRACE);

    ServingSettings settings =
        parse(
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
        "Invalid value for option '--learner-grace-seconds': '301' is not a whole number from"
            + " 0 to 300",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--learner-grace-seconds",
        "301");
  }

  @Test
  void shouldNameTheOptionInEveryError() {
    assertRefused("Missing required option: '--bootstrap=HOST:PORT'", "--registry", "http://r");
    assertRefused("Missing required option: '--registry=URL'", "--bootstrap", "h:1");
    assertRefused(
        "Invalid value for option '--bootstrap': 'nohost' is not HOST:PORT[,HOST:PORT...]",
        "--bootstrap",
        "nohost",
        "--registry",
        "http://r");
    assertRefused(
        "Invalid value for option '--registry': 'r:8081' is not an http:// or https:// URL",
        "--bootstrap",
        "h:1",
        "--registry",
        "r:8081");
    assertRefused(
        "Invalid value for option '--port': '70000' is not a whole number from 0 to 65535",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--port",
        "70000");
    assertRefused(
        "Invalid value for option '--max-instances': 'many' is not a whole number from"
            + " 1 to 2147483647",
        "--bootstrap",
        "h:1",
        "--registry",
        "http://r",
        "--max-instances",
        "many");
    assertRefused(
        "Unknown option: '--prot' (did you mean --port?)", concat(REQUIRED, "--prot", "1"));
    assertRefused("Missing required parameter for option '--port' (N)", concat(REQUIRED, "--port"));
    assertRefused(
        "option '--port' (N) should be specified only once",
        concat(REQUIRED, "--port", "1", "--port", "2"));
  }

  @Test
  void shouldRequireATokenFileOrTheExplicitlyOpenMode() throws Exception {
    assertThat(parse(REQUIRED).httpTokens()).isEqualTo(BearerTokens.load(tokens));
    assertThat(ServeOptions.parse(concat(REQUIRED, "--insecure-http")).httpTokens()).isNull();
    assertRefused(
        "Missing option '--http-token-file': the HTTP API needs bearer tokens, or --insecure-http"
            + " to serve it without authentication",
        REQUIRED);
    assertRefused(
        "Invalid value for option '--http-token-file': cannot read token file "
            + dir.resolve("none")
            + ": no such file",
        concat(REQUIRED, "--http-token-file", dir.resolve("none").toString()));
  }

  @Test
  void shouldTakeTheTokenFileOrTheOpenModeFromAConfigFile() throws Exception {
    Path secured =
        Files.writeString(
            dir.resolve("secured.properties"),
            "bootstrap=kafka:9092\nregistry=http://r:8081\nhttp-token-file=" + tokens + "\n");
    Path open =
        Files.writeString(
            dir.resolve("open.properties"),
            "bootstrap=kafka:9092\nregistry=http://r:8081\ninsecure-http=true\n");

    assertThat(ServeOptions.parse("--config", secured.toString()).httpTokens())
        .isEqualTo(BearerTokens.load(tokens));
    assertThat(ServeOptions.parse("--config", open.toString()).httpTokens()).isNull();
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutServing() {
    for (String help : new String[] {"--help", "-h"}) {
      StringWriter out = new StringWriter();
      CommandLine line = Cli.commandLine(new ServeMain());
      line.setOut(new PrintWriter(out, true));
      assertThat(Cli.execute(line, help)).isZero();
      assertThat(out.toString())
          .startsWith("Usage: lethe serve")
          .contains("--bootstrap=HOST:PORT", "--learner-grace-seconds=N", "--config=FILE");
    }
  }

  @Test
  void shouldReadAConfigFileThatTheCommandLineOverrides() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("serve.properties"),
            "bootstrap=kafka:9092\nregistry=http://registry:8081\nport=9000\nhost=127.0.0.1\n");
    ServingSettings settings = parse("--config", file.toString(), "--port", "9001");
    assertThat(settings.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(settings.registryUrl()).isEqualTo("http://registry:8081");
    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.port()).isEqualTo(9001);
  }

  @Test
  void shouldFollowTheConsoleTopicsAndReadTheEvaluationSet() throws Exception {
    ServeMain defaults = new ServeMain();
    Cli.parse(Cli.commandLine(defaults), concat(REQUIRED, "--insecure-http"));
    ConsoleSettings console = defaults.options.consoleSettings();
    assertThat(console.receiptsTopic()).isEqualTo("lethe.receipts");
    assertThat(console.erasuresTopic()).isEqualTo("lethe.erasures");
    assertThat(console.deadLetterTopic()).isEqualTo("lethe.deadletter");
    assertThat(console.evaluation()).isNull();

    // a test split of three 2x2 images, as Fashion-MNIST's IDX files hold it
    Path data = Files.createDirectories(dir.resolve("fmnist"));
    idx(data.resolve("t10k-images-idx3-ubyte.gz"), new int[] {3, 2, 2}, new byte[12]);
    idx(data.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {3}, new byte[] {4, 0, 9});
    ServeMain given = new ServeMain();
    Cli.parse(
        Cli.commandLine(given),
        concat(
            REQUIRED,
            "--insecure-http",
            "--receipts-topic",
            "r",
            "--erasures-topic",
            "e",
            "--deadletter-topic",
            "d",
            "--eval-set",
            data.toString()));
    console = given.options.consoleSettings();
    assertThat(List.of(console.receiptsTopic(), console.erasuresTopic(), console.deadLetterTopic()))
        .containsExactly("r", "e", "d");
    assertThat(console.evaluation().labels()).containsExactly(4, 0, 9);
    assertThat(console.evaluation().featureCount()).isEqualTo(4);

    assertRefused(
        "Invalid value for option '--eval-set': "
            + dir.resolve("none").resolve("t10k-images-idx3-ubyte.gz")
            + " is missing: the directory must hold Fashion-MNIST's test split (Debian package"
            + " dataset-fashion-mnist installs it in /usr/share/datasets/fashion-mnist)",
        concat(REQUIRED, "--insecure-http", "--eval-set", dir.resolve("none").toString()));
  }

  /** Writes a gzip-compressed IDX file of unsigned bytes. */
  private static void idx(Path file, int[] dims, byte[] values) throws Exception {
    try (java.io.DataOutputStream out =
        new java.io.DataOutputStream(
            new java.util.zip.GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeShort(0);
      out.writeByte(0x08);
      out.writeByte(dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(values);
    }
  }

  /** Runs {@code lethe serve} (which fails before serving) and checks its one line and code. */
  private static void assertRefused(String message, String... args) {
    StringWriter err = new StringWriter();
    CommandLine line = Cli.commandLine(new ServeMain());
    line.setErr(new PrintWriter(err, true));
    assertThat(Cli.execute(line, args)).isEqualTo(Cli.USAGE);
    assertThat(err.toString().lines())
        .containsExactly("lethe serve: " + message + "; see 'lethe serve --help'");
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }

  @Test
  void shouldTakeEveryDeclaredSettingAsItsCommandLineOption() {
    for (SettingDef<?> setting : ServingSettings.SETTINGS) {
      String[] args = java.util.Arrays.copyOf(REQUIRED, REQUIRED.length + 2);
      args[REQUIRED.length] = setting.cliOption();
      args[REQUIRED.length + 1] = changed(setting);
      assertThat(parse(args)).as(setting.cliOption()).isNotEqualTo(parse(REQUIRED));
    }
  }

  /**
   * Text of a valid value other than the default: its number one lower, or 2 for 1; the other
   * precision.
   */
  private static <T> String changed(SettingDef<T> setting) {
    if (setting == ScoringSettings.BUFFER_PRECISION) {
      return "float64";
    }
    long n = Long.parseLong(setting.format(setting.defaultValue().orElseThrow()));
    return String.valueOf(n == 1 ? 2 : n - 1);
  }
}
