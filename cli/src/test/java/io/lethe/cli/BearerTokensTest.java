package io.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.cli.BearerTokens.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** {@code --http-token-file}: the file, the header check and the choice of the open mode. */
class BearerTokensTest {
  @TempDir Path dir;

  private static final String FIRST = "first-token-0123456789";
  private static final String SECOND = "second-token-0123456789";

  @Test
  void shouldAcceptEveryListedTokenAndNothingElse() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tokens"), "# rotation\n" + FIRST + "\n\n  " + SECOND + "  \n");
    BearerTokens tokens = BearerTokens.load(file);

    assertThat(tokens.check("Bearer " + FIRST)).isEqualTo(Outcome.ACCEPTED);
    assertThat(tokens.check("bearer " + SECOND)).isEqualTo(Outcome.ACCEPTED);
    assertThat(tokens.check("Bearer " + FIRST + "x")).isEqualTo(Outcome.INVALID);
    assertThat(tokens.check("Bearer # rotation")).isEqualTo(Outcome.INVALID);
    assertThat(tokens.check(null)).isEqualTo(Outcome.MISSING);
    assertThat(tokens.check("Basic " + FIRST)).isEqualTo(Outcome.NOT_BEARER);
    assertThat(tokens.check("Bearer ")).isEqualTo(Outcome.NOT_BEARER);
    assertThat(tokens.toString()).doesNotContain(FIRST);
  }

  @Test
  void shouldRefuseAFileWithoutTokensOrWithAShortOneNamingTheFileNotTheToken() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n\n");
    Path shortOne = Files.writeString(dir.resolve("short"), FIRST + "\nshort-secret\n");

    assertThatThrownBy(() -> BearerTokens.load(empty))
        .hasMessage("token file " + empty + " lists no token (one per line, # starts a comment)");
    assertThatThrownBy(() -> BearerTokens.load(shortOne))
        .hasMessage(
            "token file " + shortOne + ", line 2: a token is at least 16 characters without spaces")
        .message()
        .doesNotContain("short-secret");
  }

  @Test
  void shouldWriteAGeneratedTokenThatOnlyTheOwnerCanRead() throws Exception {
    String token = BearerTokens.generate();
    Path file = BearerTokens.write(dir.resolve("security/http-token"), token);

    assertThat(token).hasSizeGreaterThanOrEqualTo(BearerTokens.MIN_TOKEN_LENGTH);
    assertThat(BearerTokens.generate()).isNotEqualTo(token);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(BearerTokens.load(file).check("Bearer " + token)).isEqualTo(Outcome.ACCEPTED);
    // the token alone, so that curl -H "Authorization: Bearer $(cat FILE)" works
    assertThat(Files.readString(file)).isEqualTo(token + "\n");
  }

  @Command(name = "probe")
  static final class Probe {
    @Mixin HttpAuthOptions auth;
  }

  private static CommandLine parse(String... args) {
    CommandLine line = new CommandLine(new Probe());
    line.parseArgs(args);
    return line;
  }

  @Test
  void shouldRequireATokenFileUnlessTheApiIsDeclaredOpen() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), FIRST + "\n");

    CommandLine neither = parse();
    assertThatThrownBy(() -> ((Probe) neither.getCommand()).auth.tokens(neither))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "Missing option '--http-token-file': the HTTP API needs bearer tokens, or"
                + " --insecure-http to serve it without authentication");
    CommandLine open = parse("--insecure-http");
    assertThat(((Probe) open.getCommand()).auth.tokens(open)).isEmpty();
    CommandLine secured = parse("--http-token-file", file.toString());
    assertThat(((Probe) secured.getCommand()).auth.tokens(secured))
        .hasValueSatisfying(t -> assertThat(t.source()).isEqualTo(file));
    CommandLine both = parse("--http-token-file", file.toString(), "--insecure-http");
    assertThatThrownBy(() -> ((Probe) both.getCommand()).auth.tokens(both))
        .hasMessage("--http-token-file and --insecure-http exclude each other; give one");
    assertThatThrownBy(() -> parse("--http-token-file", dir.resolve("absent").toString()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("cannot read token file " + dir.resolve("absent"));
  }
}
