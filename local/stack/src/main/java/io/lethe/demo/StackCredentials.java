package io.lethe.demo;

import io.lethe.cli.BearerTokens;
import io.lethe.local.registry.RegistryUsers;
import io.lethe.local.registry.RegistryUsers.Role;
import io.lethe.schemas.registry.RegistryClientSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The credentials of an embedded stack's HTTP APIs, generated on start into a directory of files
 * that only their owner may read: a bearer token for the model service and the erasure status
 * endpoint, and a schema registry user per component with the least role it needs, each with a
 * registry client properties file in Confluent's names.
 *
 * <p>Registry users, named as the Kafka principals: {@link #ADMIN} ({@code admin}) sets the stack
 * up and writes the demo's input; {@link #PRODUCER}, {@link #PRIVACY}, {@link #INGRESS} and {@link
 * #JOB} ({@code write}) register the schemas of what they write; {@link #SERVICE} ({@code read})
 * only reads schemas.
 */
public final class StackCredentials {
  /** The stack's own registry user: topic set-up, the demo's and benchmarks' producers. */
  public static final String ADMIN = "lethe-admin";

  /** The ingress's registry user. */
  public static final String INGRESS = "lethe-ingress";

  /** The learner job's registry user. */
  public static final String JOB = "lethe-job";

  /** The model service's registry user. */
  public static final String SERVICE = "lethe-model-service";

  /** The registry user of a service that sends training samples. */
  public static final String PRODUCER = "lethe-producer";

  /** The registry user of a privacy system: sends erasure requests, reads receipts. */
  public static final String PRIVACY = "lethe-privacy";

  /** The token file's name in the directory. */
  public static final String TOKEN_FILE = "http-token";

  /** The registry users file's name in the directory. */
  public static final String USERS_FILE = "registry-users.properties";

  private static final Map<String, Role> ROLES =
      Map.of(
          ADMIN,
          Role.ADMIN,
          PRODUCER,
          Role.WRITE,
          PRIVACY,
          Role.WRITE,
          INGRESS,
          Role.WRITE,
          JOB,
          Role.WRITE,
          SERVICE,
          Role.READ);

  private final String token;
  private final Path tokenFile;
  private final RegistryUsers users;
  private final Map<String, Map<String, String>> registryProperties;
  private final Map<String, Path> registryConfigs;

  private StackCredentials(
      String token,
      Path tokenFile,
      RegistryUsers users,
      Map<String, Map<String, String>> registryProperties,
      Map<String, Path> registryConfigs) {
    this.token = token;
    this.tokenFile = tokenFile;
    this.users = users;
    this.registryProperties = registryProperties;
    this.registryConfigs = registryConfigs;
  }

  /**
   * Generates new credentials into {@code dir} (created if missing): {@value #TOKEN_FILE}, {@value
   * #USERS_FILE} and {@code registry-<user>.properties} per user, each readable by its owner only.
   *
   * @throws IOException if a file exists already or cannot be written
   */
  public static StackCredentials generate(Path dir) throws IOException {
    String token = BearerTokens.generate();
    Path tokenFile = BearerTokens.write(dir.resolve(TOKEN_FILE), token);
    Map<String, String> passwords = new LinkedHashMap<>();
    for (String user : new String[] {ADMIN, PRODUCER, PRIVACY, INGRESS, JOB, SERVICE}) {
      passwords.put(user, BearerTokens.generate());
    }
    RegistryUsers users =
        RegistryUsers.load(RegistryUsers.write(dir.resolve(USERS_FILE), passwords, ROLES));
    Map<String, Map<String, String>> properties = new LinkedHashMap<>();
    Map<String, Path> configs = new LinkedHashMap<>();
    for (Map.Entry<String, String> user : passwords.entrySet()) {
      Map<String, String> client =
          Map.of(
              RegistryClientSettings.BASIC_AUTH_SOURCE,
              "USER_INFO",
              RegistryClientSettings.BASIC_AUTH_USER_INFO,
              user.getKey() + ":" + user.getValue());
      properties.put(user.getKey(), client);
      StringBuilder text = new StringBuilder("# schema registry client of " + user.getKey() + "\n");
      client.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
      configs.put(
          user.getKey(),
          BearerTokens.writeOwnerOnly(
              dir.resolve("registry-" + user.getKey() + ".properties"), text.toString()));
    }
    return new StackCredentials(
        token, tokenFile, users, Map.copyOf(properties), Map.copyOf(configs));
  }

  /**
   * Appends {@code user}'s registry client properties to a client properties file (a Kafka
   * principal's), so that one file configures all of a tool's clients, as {@code --kafka-config}
   * expects; does nothing for a user without a registry account.
   *
   * @throws IOException if the file cannot be written
   */
  public void addRegistryUserTo(Path clientProperties, String user) throws IOException {
    Map<String, String> client = registryProperties.get(user);
    if (client == null || clientProperties == null) {
      return;
    }
    StringBuilder text = new StringBuilder("\n# the schema registry's user\n");
    client.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    java.nio.file.Files.writeString(
        clientProperties, text, java.nio.file.StandardOpenOption.APPEND);
  }

  /** The bearer token of the model service and the status endpoint. */
  public String httpToken() {
    return token;
  }

  /** The file holding {@link #httpToken()}, in {@code --http-token-file}'s format. */
  public Path httpTokenFile() {
    return tokenFile;
  }

  /** What the model service and the status endpoint accept: {@link #httpToken()}. */
  public BearerTokens httpTokens() {
    return BearerTokens.load(tokenFile);
  }

  /** The registry's users. */
  public RegistryUsers registryUsers() {
    return users;
  }

  /** The registry client properties (Confluent's names) of {@code user}. */
  public Map<String, String> registryProperties(String user) {
    return registryProperties.get(user);
  }

  /** The file of {@link #registryProperties(String)}, for a component that reads a file. */
  public Path registryConfig(String user) {
    return registryConfigs.get(user);
  }
}
