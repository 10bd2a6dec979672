package io.lethe.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The bearer tokens an HTTP API accepts ({@code --http-token-file}), and the check of a request's
 * {@code Authorization} header against them.
 *
 * <p>The file holds one token per line; blank lines and lines starting with {@code #} are ignored,
 * and any listed token is accepted (list two while rotating). Only the tokens' SHA-256 hashes are
 * kept, and a header is compared with every hash in constant time, so neither the heap nor the
 * answer time tells a token. Thread-safe.
 */
public final class BearerTokens {
  /** The {@code WWW-Authenticate} challenge of a refused request (RFC 6750). */
  public static final String CHALLENGE = "Bearer realm=\"lethe\"";

  /** The shortest token accepted in a file: shorter ones can be guessed. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final String SCHEME = "bearer ";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Why a request was refused, or that it was not: the {@code reason} label of refusals. */
  public enum Outcome {
    /** The token is one of the listed ones. */
    ACCEPTED("accepted"),
    /** No {@code Authorization} header. */
    MISSING("missing"),
    /** An {@code Authorization} header of another scheme, or an empty token. */
    NOT_BEARER("not_bearer"),
    /** A bearer token that is not listed. */
    INVALID("invalid");

    /** The metric label. */
    public final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** The message a refused caller reads (never the token). */
    public String message() {
      return switch (this) {
        case ACCEPTED -> "accepted";
        case MISSING -> "this endpoint needs a credential: send Authorization: Bearer <token>";
        case NOT_BEARER -> "this endpoint takes a bearer token: send Authorization: Bearer <token>";
        case INVALID -> "the bearer token is not valid here";
      };
    }
  }

  private final Path source;
  private final List<byte[]> hashes;

  private BearerTokens(Path source, List<byte[]> hashes) {
    this.source = source;
    this.hashes = List.copyOf(hashes);
  }

  /**
   * The tokens of {@code file}.
   *
   * @throws IllegalArgumentException naming the file (never a token) if it cannot be read, lists no
   *     token, or a token is shorter than {@link #MIN_TOKEN_LENGTH} or has a space inside
   */
  public static BearerTokens load(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      String why =
          e instanceof NoSuchFileException
              ? "no such file"
              : e instanceof AccessDeniedException ? "permission denied" : "an I/O error";
      throw new IllegalArgumentException("cannot read token file " + file + ": " + why);
    }
    List<byte[]> hashes = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String token = lines.get(i).strip();
      if (token.isEmpty() || token.startsWith("#")) {
        continue;
      }
      if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ')) {
        throw new IllegalArgumentException(
            "token file "
                + file
                + ", line "
                + (i + 1)
                + ": a token is at least "
                + MIN_TOKEN_LENGTH
                + " characters without spaces");
      }
      hashes.add(sha256(token));
    }
    if (hashes.isEmpty()) {
      throw new IllegalArgumentException(
          "token file " + file + " lists no token (one per line, # starts a comment)");
    }
    return new BearerTokens(file, hashes);
  }

  /**
   * The first token of a token file: what a client sends ({@code Authorization: Bearer <token>}).
   *
   * @throws IllegalArgumentException as {@link #load} does
   */
  public static String firstToken(Path file) {
    load(file); // the same checks and messages as a server's
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read token file " + file + ": an I/O error");
    }
  }

  /** Accepts exactly {@code token}, e.g. for a test or a stack that generated it. */
  public static BearerTokens of(String token) {
    return new BearerTokens(null, List.of(sha256(Objects.requireNonNull(token, "token"))));
  }

  /** A new random token: 32 bytes from {@link SecureRandom}, base64url without padding. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Writes {@code token} to a new file {@code file} that only its owner may read and write (where
   * the file system has POSIX permissions). The file holds the token alone, so that {@code
   * Authorization: Bearer $(cat FILE)} works in a shell.
   *
   * @throws IOException if the file exists or cannot be written
   */
  public static Path write(Path file, String token) throws IOException {
    return writeOwnerOnly(file, token + "\n");
  }

  /**
   * Writes {@code text} to a new file that only its owner may read and write, created with those
   * permissions rather than narrowed afterwards.
   *
   * @throws FileAlreadyExistsException if the file exists
   */
  public static Path writeOwnerOnly(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** The file the tokens were read from, or null. */
  public Path source() {
    return source;
  }

  /** Checks an {@code Authorization} header value (null if absent). */
  public Outcome check(String authorization) {
    if (authorization == null) {
      return Outcome.MISSING;
    }
    String value = authorization.strip();
    if (value.length() <= SCHEME.length()
        || !value.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return Outcome.NOT_BEARER;
    }
    byte[] given = sha256(value.substring(SCHEME.length()).strip());
    boolean found = false;
    for (byte[] hash : hashes) {
      // every hash is compared, each in constant time: no early exit tells which one matched
      found |= MessageDigest.isEqual(hash, given);
    }
    return found ? Outcome.ACCEPTED : Outcome.INVALID;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Equal if the same tokens are accepted, wherever they were read from. */
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof BearerTokens that) || that.hashes.size() != hashes.size()) {
      return false;
    }
    for (int i = 0; i < hashes.size(); i++) {
      if (!Arrays.equals(hashes.get(i), that.hashes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int code = 1;
    for (byte[] hash : hashes) {
      code = 31 * code + Arrays.hashCode(hash);
    }
    return code;
  }

  @Override
  public String toString() {
    return "BearerTokens[" + hashes.size() + " from " + source + "]";
  }
}
