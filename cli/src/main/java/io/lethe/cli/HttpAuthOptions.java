package io.lethe.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --http-token-file FILE} and {@code --insecure-http} (a mixin): the bearer tokens a
 * command's HTTP API requires, or the explicit choice to serve it open. One of the two is required,
 * so that an API is never open by accident; health, readiness and metrics stay open either way. The
 * file is read while the command line is parsed, so an unreadable one is a usage error naming the
 * option.
 */
public final class HttpAuthOptions {
  /** The token file option's name. */
  public static final String TOKEN_FILE = "--http-token-file";

  /** The open-mode option's name. */
  public static final String INSECURE = "--insecure-http";

  @Option(
      names = TOKEN_FILE,
      paramLabel = "FILE",
      converter = Load.class,
      description =
          "Bearer tokens the HTTP API accepts, one per line (# comments); requests without one"
              + " get 401. /healthz, /readyz and /metrics stay open.")
  BearerTokens tokens;

  @Option(
      names = INSECURE,
      description = "Serve the HTTP API without authentication (logs a warning).")
  boolean insecure;

  /**
   * The tokens to require, or empty if {@code --insecure-http} asked for an open API.
   *
   * @throws ParameterException naming the options if neither or both are given
   */
  public Optional<BearerTokens> tokens(CommandLine commandLine) {
    if (tokens != null && insecure) {
      throw new ParameterException(
          commandLine, TOKEN_FILE + " and " + INSECURE + " exclude each other; give one");
    }
    if (tokens == null && !insecure) {
      throw new ParameterException(
          commandLine,
          "Missing option '"
              + TOKEN_FILE
              + "': the HTTP API needs bearer tokens, or "
              + INSECURE
              + " to serve it without authentication");
    }
    return Optional.ofNullable(tokens);
  }

  /** Reads the file while parsing; the message names the file, never a token. */
  static final class Load implements ITypeConverter<BearerTokens> {
    @Override
    public BearerTokens convert(String text) {
      try {
        return BearerTokens.load(Path.of(text));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
