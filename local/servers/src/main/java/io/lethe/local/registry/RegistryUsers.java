package io.lethe.local.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The users of a registry that requires HTTP basic authentication, read from a file in the format
 * of Confluent Schema Registry's basic-auth password file (Jetty's {@code HashLoginService} realm
 * properties): one user per line, {@code username: password,role1,role2}, {@code #} comments.
 *
 * <p>Roles ({@link Role}): any role lets a user read; {@code write} also registers schemas and sets
 * compatibility; {@code admin} also deletes. Only plain passwords are read (Jetty's {@code OBF:},
 * {@code MD5:} and {@code CRYPT:} forms are refused at start-up); only their SHA-256 hashes are
 * kept, compared in constant time. Immutable and thread-safe.
 */
public final class RegistryUsers {
  /** The realm of the {@code WWW-Authenticate} challenge. */
  public static final String REALM = "lethe-registry";

  /** The {@code WWW-Authenticate} challenge of a request without valid credentials. */
  public static final String CHALLENGE = "Basic realm=\"" + REALM + "\"";

  /** What a user may do; each role includes those before it. */
  public enum Role {
    /** Read subjects, schemas, versions and compatibility; look up and test schemas. */
    READ,
    /** Also register schemas and set compatibility. */
    WRITE,
    /** Also delete subjects and versions. */
    ADMIN;

    /** The role's name in the users file. */
    public String fileName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A user: name, password hash and the strongest role listed (empty: none). */
  private record User(String name, byte[] passwordHash, Optional<Role> role) {}

  /** An authenticated user and the strongest role the file gives it (empty: none). */
  public record Principal(String name, Optional<Role> role) {
    /** Whether the principal may do what {@code needed} allows. */
    public boolean may(Role needed) {
      return role.isPresent() && role.get().compareTo(needed) >= 0;
    }
  }

  private final Path source;
  private final Map<String, User> users;

  private RegistryUsers(Path source, Map<String, User> users) {
    this.source = source;
    this.users = Map.copyOf(users);
  }

  /**
   * The users of {@code file}.
   *
   * @throws IllegalArgumentException naming the file and line (never a password) if it cannot be
   *     read, a line is not {@code name: password[,role...]}, a password is not plain, a role is
   *     unknown, a user is listed twice, or it lists nobody
   */
  public static RegistryUsers load(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "cannot read the registry users file " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the registry users file " + file);
    }
    Map<String, User> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "registry users file " + file + ", line " + (i + 1);
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            where + ": expected 'name: password[,role...]' (roles: read, write, admin)");
      }
      String name = line.substring(0, colon).strip();
      String[] parts = line.substring(colon + 1).split(",");
      String password = parts[0].strip();
      if (password.isEmpty()) {
        throw new IllegalArgumentException(where + ": user '" + name + "' has no password");
      }
      for (String hashed : List.of("OBF:", "MD5:", "CRYPT:")) {
        if (password.startsWith(hashed)) {
          throw new IllegalArgumentException(
              where
                  + ": user '"
                  + name
                  + "' has an "
                  + hashed.substring(0, hashed.length() - 1)
                  + " password; this registry reads plain passwords only");
        }
      }
      Set<Role> roles = new LinkedHashSet<>();
      for (int p = 1; p < parts.length; p++) {
        String roleName = parts[p].strip();
        if (roleName.isEmpty()) {
          continue;
        }
        try {
          roles.add(Role.valueOf(roleName.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              where
                  + ": user '"
                  + name
                  + "' has the unknown role '"
                  + roleName
                  + "'; roles are read, write, admin");
        }
      }
      Optional<Role> strongest = roles.stream().max(Enum::compareTo);
      if (users.putIfAbsent(name, new User(name, sha256(password), strongest)) != null) {
        throw new IllegalArgumentException(where + ": user '" + name + "' is listed twice");
      }
    }
    if (users.isEmpty()) {
      throw new IllegalArgumentException(
          "registry users file " + file + " lists no user ('name: password,role' per line)");
    }
    return new RegistryUsers(file, users);
  }

  /**
   * Writes a users file for {@code passwords} (user to password) and {@code roles} (user to role),
   * readable and writable by its owner only where the file system has POSIX permissions.
   *
   * @throws IOException if the file exists or cannot be written
   */
  public static Path write(Path file, Map<String, String> passwords, Map<String, Role> roles)
      throws IOException {
    StringBuilder text =
        new StringBuilder(
            "# Lethe schema registry users: name: password,role (read, write, admin)\n");
    passwords.forEach(
        (name, password) ->
            text.append(name)
                .append(": ")
                .append(password)
                .append(',')
                .append(roles.get(name).fileName())
                .append('\n'));
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** The file the users were read from. */
  public Path source() {
    return source;
  }

  /**
   * The principal an {@code Authorization} header (null if absent) proves, or empty if it proves
   * none: absent, not {@code Basic}, not base64 of {@code name:password}, an unknown name or a
   * wrong password. Password hashes are compared in constant time, and an unknown name costs a
   * comparison too.
   */
  public Optional<Principal> authenticate(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String value = authorization.strip();
    if (value.length() < 6 || !value.substring(0, 6).equalsIgnoreCase("basic ")) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    User user = users.get(decoded.substring(0, colon));
    byte[] given = sha256(decoded.substring(colon + 1));
    byte[] expected = user != null ? user.passwordHash() : new byte[given.length];
    boolean matches = MessageDigest.isEqual(expected, given);
    if (user == null || !matches) {
      return Optional.empty();
    }
    return Optional.of(new Principal(user.name(), user.role()));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "RegistryUsers[" + users.size() + " from " + source + "]";
  }
}
