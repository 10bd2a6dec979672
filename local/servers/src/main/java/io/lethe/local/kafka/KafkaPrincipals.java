package io.lethe.local.kafka;

import io.lethe.local.kafka.EmbeddedKafka.Credentials;
import io.lethe.schemas.topics.LetheAcls;
import io.lethe.schemas.topics.LetheAcls.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Gives each of Lethe's principals ({@link LetheAcls.Principal}) a SCRAM-SHA-512 credential with a
 * fresh random password and exactly the rights {@link LetheAcls} lists, on a broker that
 * authenticates and authorizes, and writes one Kafka client properties file per principal: what a
 * user passes to {@code --kafka-config} or to Kafka's own tools ({@code --producer.config}, {@code
 * --command-config}).
 *
 * <p>The files are readable by their owner only. Nothing here logs a password.
 */
public final class KafkaPrincipals {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<Principal, Path> files;
  private final Path adminFile;

  private KafkaPrincipals(Map<Principal, Path> files, Path adminFile) {
    this.files = files;
    this.adminFile = adminFile;
  }

  /**
   * The principals provisioned before into {@code dir} (a local cluster started again), if every
   * file is there.
   */
  public static Optional<KafkaPrincipals> existing(Path dir, String adminUser) {
    Map<Principal, Path> files = new EnumMap<>(Principal.class);
    for (Principal principal : Principal.values()) {
      Path file = fileOf(dir, principal.defaultUser());
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      files.put(principal, file);
    }
    Path admin = fileOf(dir, adminUser);
    return Files.isRegularFile(admin)
        ? Optional.of(new KafkaPrincipals(files, admin))
        : Optional.empty();
  }

  private static Path fileOf(Path dir, String user) {
    return dir.resolve(user + ".properties");
  }

  /** A random password: 24 random bytes, URL-safe base64 (32 characters). */
  public static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Creates the users and ACLs as the super user and writes {@code <dir>/<user>.properties} for
   * each principal and for the super user.
   *
   * @param bootstrapServers the broker
   * @param admin the super user's client properties
   * @param connection the properties every principal's file starts with besides its credential:
   *     {@code security.protocol} and, over TLS, the {@code ssl.truststore.*} settings
   * @param acls the rights to grant
   * @param dir where the files go; created if missing
   * @param adminCredentials the super user, whose file is written too
   */
  public static KafkaPrincipals provision(
      String bootstrapServers,
      Map<String, String> admin,
      Map<String, String> connection,
      LetheAcls acls,
      Path dir,
      Credentials adminCredentials) {
    Map<Principal, Credentials> credentials = new EnumMap<>(Principal.class);
    for (Principal principal : Principal.values()) {
      credentials.put(principal, new Credentials(principal.defaultUser(), newPassword()));
    }
    Map<String, Object> adminConfig = new TreeMap<>(admin);
    adminConfig.put("bootstrap.servers", bootstrapServers);
    adminConfig.put("client.id", "lethe-provisioning");
    try (Admin client = Admin.create(adminConfig)) {
      List<UserScramCredentialAlteration> users = new ArrayList<>();
      for (Credentials user : credentials.values()) {
        users.add(
            new UserScramCredentialUpsertion(
                user.user(),
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                user.password()));
      }
      client.alterUserScramCredentials(users).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<AclBinding> bindings = new ArrayList<>();
      acls.bindings().values().forEach(bindings::addAll);
      client.createAcls(bindings).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitAcls(client, bindings);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka users and ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot create Lethe's Kafka users and ACLs on " + bootstrapServers + ": " + e, e);
    }
    Map<Principal, Path> files = new EnumMap<>(Principal.class);
    credentials.forEach(
        (principal, user) ->
            files.put(principal, writeClientFile(dir, user, connection, principal.role())));
    Path adminFile =
        writeClientFile(dir, adminCredentials, connection, "super user: creates topics and ACLs");
    return new KafkaPrincipals(files, adminFile);
  }

  /** Waits until the broker reports every binding, so that the first client is not refused. */
  private static void awaitAcls(Admin client, List<AclBinding> bindings)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Set<AclBinding> wanted = new HashSet<>(bindings);
    while (true) {
      Set<AclBinding> present =
          new HashSet<>(
              client
                  .describeAcls(AclBindingFilter.ANY)
                  .values()
                  .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      if (present.containsAll(wanted)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the broker did not report the new ACLs within " + TIMEOUT);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /**
   * Writes {@code <dir>/<user>.properties}, readable by its owner only: {@code connection} and the
   * SCRAM-SHA-512 login of {@code user}, with {@code comment} in its heading.
   */
  public static Path writeClientFile(
      Path dir, Credentials user, Map<String, String> connection, String comment) {
    Map<String, String> properties = new TreeMap<>(connection);
    properties.putAll(
        user.scramClientProperties(
            org.apache.kafka.common.security.auth.SecurityProtocol.forName(
                connection.getOrDefault("security.protocol", "SASL_PLAINTEXT"))));
    Path file = fileOf(dir, user.user());
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        out.write("# Kafka client properties of " + user.user() + " (" + comment + ")\n");
        out.write("# Generated by Lethe; keep this file private.\n");
        for (Map.Entry<String, String> entry : properties.entrySet()) {
          out.write(entry.getKey() + "=" + escape(entry.getValue()) + "\n");
        }
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** A properties value with the characters {@link java.util.Properties#load} treats specially. */
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\n", "\\n");
  }

  /** The client properties file of {@code principal}. */
  public Path file(Principal principal) {
    return files.get(principal);
  }

  /** The super user's client properties file. */
  public Path adminFile() {
    return adminFile;
  }
}
