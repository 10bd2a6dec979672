package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.cli.BearerTokens;
import io.lethe.cli.Cli;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.schemas.snapshot.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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

  @TempDir Path dir;

  @TempDir static Path tokenDir;
  private static Path tokens;

  @BeforeAll
  static void writeTokens() throws Exception {
    tokens = Files.writeString(tokenDir.resolve("http-tokens"), "a-token-for-option-tests\n");
  }

  /** {@code lethe ingress}'s parse, with the token file its status endpoint needs. */
  private static IngressOptions parse(String... args) {
    return IngressOptions.parse(concat(args, HttpAuthOptions.TOKEN_FILE, tokens.toString()));
  }

  @Test
  void shouldRequireATokenFileForTheStatusEndpointOrTheExplicitlyOpenMode() throws Exception {
    assertThat(parse(REQUIRED).httpTokens()).isEqualTo(BearerTokens.load(tokens));
    assertThat(IngressOptions.parse(concat(REQUIRED, "--insecure-http")).httpTokens()).isNull();
    assertThat(IngressOptions.parse(concat(REQUIRED, "--port", "-1")).httpTokens()).isNull();
    assertThat(refused(REQUIRED))
        .isEqualTo(
            "Missing option '--http-token-file': the HTTP API needs bearer tokens, or"
                + " --insecure-http to serve it without authentication");
  }

  @Test
  void shouldParseTheRequiredOptionsWithDefaults() {
    IngressOptions options = parse(REQUIRED);

    assertThat(options.catalog()).isEqualTo(Path.of("catalog.yaml"));
    assertThat(options.bootstrap()).isEqualTo("localhost:9092");
    assertThat(options.registry()).isEqualTo("http://localhost:8081");
    assertThat(options.httpPort()).isEqualTo(IngressOptions.DEFAULT_HTTP_PORT);
    assertThat(options.host()).as("this machine only, unless told").isEqualTo("127.0.0.1");
    assertThat(options.applicationId()).isEqualTo(IngressApp.DEFAULT_APPLICATION_ID);
    assertThat(options.settings()).isEqualTo(IngressSettings.defaults());
  }

  @Test
  void shouldParseTheOptionalOptions() {
    IngressOptions options =
        parse(
            concat(
                REQUIRED,
                "--port",
                "0",
                "--host",
                "0.0.0.0",
                "--state-dir",
                "/var/lib/lethe",
                "--pending-timeout",
                "90s"));

    assertThat(options.httpPort()).isZero();
    assertThat(options.host()).isEqualTo("0.0.0.0");
    assertThat(options.stateDir()).isEqualTo(Path.of("/var/lib/lethe"));
    assertThat(options.settings().pendingTimeout()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void shouldKeepTheOldNameOfThePortAsAHiddenAlias() {
    assertThat(parse(concat(REQUIRED, "--http-port", "-1")).httpPort()).isEqualTo(-1);
    assertThat(help()).doesNotContain("--http-port");
  }

  @Test
  void shouldNameAMissingRequiredOption() {
    assertThat(refused("--catalog", "c.yaml", "--bootstrap", "h:1"))
        .isEqualTo("Missing required option: '--registry=URL'");
  }

  @Test
  void shouldNameAnUnknownOption() {
    assertThat(refused(concat(REQUIRED, "--prot", "1")))
        .isEqualTo("Unknown option: '--prot' (did you mean --port?)");
  }

  @Test
  void shouldNameAnOptionWithoutValue() {
    assertThat(refused(concat(REQUIRED, "--port")))
        .isEqualTo("Missing required parameter for option '--port' (N)");
  }

  @Test
  void shouldNameABadBootstrapAddress() {
    assertThat(refused("--catalog", "c.yaml", "--bootstrap", "localhost", "--registry", "http://r"))
        .isEqualTo(
            "Invalid value for option '--bootstrap': 'localhost' is not HOST:PORT[,HOST:PORT...]");
  }

  @Test
  void shouldNameABadPort() {
    assertThat(refused(concat(REQUIRED, "--port", "http")))
        .isEqualTo(
            "Invalid value for option '--port': 'http' is not a whole number from -1 to 65535");
  }

  @Test
  void shouldNameTheOptionOfABadSetting() {
    assertThatThrownBy(() -> parse(concat(REQUIRED, "--dedupe-window", "soon")))
        .hasMessage(
            "Invalid value for option '--dedupe-window': ingress setting"
                + " dedupe-window is 'soon', expected a positive duration like"
                + " 500ms, 30s, 10m, 1h or 7d");
  }

  @Test
  void shouldTakeTheReceiptSigningKeyAsAPath() {
    assertThat(parse(REQUIRED).signingKey()).isNull();
    assertThat(parse(concat(REQUIRED, "--signing-key", "keys/ingress.key")).signingKey())
        .isEqualTo(Path.of("keys/ingress.key"));
  }

  @Test
  void shouldNameASigningKeyFileWithoutAPrivateKeyBeforeStarting() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir.resolve("keys"));
    Path catalog = IngressDriver.CATALOG.write(dir.resolve("catalog.yaml"));

    assertThat(
            refused(
                "--catalog",
                catalog.toString(),
                "--bootstrap",
                "localhost:9",
                "--registry",
                "http://localhost:9",
                "--signing-key",
                keys.publicKey().toString(),
                HttpAuthOptions.TOKEN_FILE,
                tokens.toString()))
        .isEqualTo(
            "Invalid value for option '--signing-key': signing key file "
                + keys.publicKey()
                + " holds 0 PEM PRIVATE KEY blocks, expected 1 (an Ed25519 key in PKCS#8, as"
                + " `lethe keys generate` or `openssl genpkey -algorithm ed25519` write it)");
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutStarting() {
    assertThat(help()).startsWith("Usage: lethe ingress").contains("--catalog=FILE", "--config");
  }

  @Test
  void shouldReadAConfigFileThatTheCommandLineOverrides() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("ingress.properties"),
            "catalog=c.yaml\nbootstrap=kafka:9092\nregistry=http://r:8081\nport=9000\n"
                + "dedupe-window=2h\n");
    IngressOptions options = parse("--config", file.toString(), "--port", "9001");
    assertThat(options.catalog()).isEqualTo(Path.of("c.yaml"));
    assertThat(options.bootstrap()).isEqualTo("kafka:9092");
    assertThat(options.httpPort()).isEqualTo(9001);
    assertThat(options.settings().dedupeWindow()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void shouldReadTheKafkaConfigFileAndTakeTheRegistryFromIt() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol=SASL_SSL\nschema.registry.url=https://registry:8081\n");

    IngressOptions options =
        parse(
            "--catalog", "c.yaml", "--bootstrap", "kafka:9092", "--kafka-config", file.toString());

    assertThat(options.registry()).isEqualTo("https://registry:8081");
    assertThat(options.kafkaConfig().source()).contains(file);
    assertThat(options.kafkaConfig().properties()).containsEntry("security.protocol", "SASL_SSL");
    assertThat(parse(REQUIRED).kafkaConfig().properties()).isEmpty();
  }

  private static String help() {
    StringWriter out = new StringWriter();
    CommandLine line = Cli.commandLine(new IngressMain());
    line.setOut(new PrintWriter(out, true));
    assertThat(Cli.execute(line, "-h")).isZero();
    return out.toString();
  }

  /** Runs {@code lethe ingress}, which stops before starting anything; returns its one line. */
  private static String refused(String... args) {
    StringWriter err = new StringWriter();
    CommandLine line = Cli.commandLine(new IngressMain());
    line.setErr(new PrintWriter(err, true));
    assertThat(Cli.execute(line, args)).isEqualTo(Cli.USAGE);
    assertThat(err.toString().lines()).hasSize(1);
    String prefix = "lethe ingress: ";
    String suffix = "; see 'lethe ingress --help'";
    String printed = err.toString().strip();
    assertThat(printed).startsWith(prefix).endsWith(suffix);
    return printed.substring(prefix.length(), printed.length() - suffix.length());
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
