package io.lethe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Kafka client properties of a {@code --kafka-config FILE}, in Kafka's own format (what Kafka's
 * tools read with {@code --command-config} or {@code --producer.config}), and the rule that layers
 * Lethe's settings on them.
 *
 * <p>Every Kafka client of a command is configured in this order, a later step overriding an
 * earlier one ({@link #layer}):
 *
 * <ol>
 *   <li>the file's properties, except the schema registry's ({@code schema.registry.*}, {@code
 *       basic.auth.*}, {@code bearer.auth.*}), which go to the registry client only;
 *   <li>{@code bootstrap.servers} from {@code --bootstrap};
 *   <li>the settings the client needs to be correct (isolation level, transactions, serializers,
 *       processing guarantee...), named by the component that creates it;
 *   <li>{@code client.id}: the component's own name for the client, after the file's {@code
 *       client.id} and a dash if the file has one; a Kafka Streams application names no client and
 *       keeps the file's {@code client.id}, which Kafka Streams uses as its clients' prefix.
 * </ol>
 *
 * So security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) and tuning pass
 * through unchanged, and no file can break what Lethe relies on. {@link #describe} renders a
 * configuration for the log with the values of secret-looking keys masked ({@link #isSecret}).
 */
public final class KafkaClientConfig {
  /** The masked form of a secret value in {@link #describe}. */
  public static final String MASK = "[hidden]";

  /** Key prefixes that configure the schema registry client, not Kafka's. */
  public static final List<String> REGISTRY_PREFIXES =
      List.of("schema.registry.", "basic.auth.", "bearer.auth.");

  /** Confluent's name of the registry URL, an alternative to {@code --registry}. */
  public static final String REGISTRY_URL = "schema.registry.url";

  /** Parts of a key's name that mark its value as a secret. */
  private static final List<String> SECRET_PARTS =
      List.of("password", "secret", "token", "jaas", "user.info", "private");

  private static final KafkaClientConfig NONE = new KafkaClientConfig(null, Map.of());

  private final Path source;
  private final Map<String, String> properties;

  private KafkaClientConfig(Path source, Map<String, String> properties) {
    this.source = source;
    this.properties = Map.copyOf(properties);
  }

  /** No file: every client gets only Lethe's settings. */
  public static KafkaClientConfig none() {
    return NONE;
  }

  /**
   * The properties of {@code file}, a Java properties file read as UTF-8 (Kafka's tools read
   * ISO-8859-1; the two agree on ASCII and escaped characters); values are stripped.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read
   */
  public static KafkaClientConfig load(Path file) {
    Objects.requireNonNull(file, "file");
    Properties values = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      values.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read Kafka client properties " + file + ": " + e);
    }
    Map<String, String> properties = new LinkedHashMap<>();
    for (String key : values.stringPropertyNames()) {
      properties.put(key, values.getProperty(key).strip());
    }
    return new KafkaClientConfig(file, properties);
  }

  /**
   * Properties given directly, e.g. by a component that embeds another ({@code source} may be
   * null).
   */
  public static KafkaClientConfig of(Path source, Map<String, String> properties) {
    return new KafkaClientConfig(source, properties);
  }

  /** The file the properties came from, if any. */
  public Optional<Path> source() {
    return Optional.ofNullable(source);
  }

  /** Every property of the file, the registry's included. */
  public Map<String, String> properties() {
    return properties;
  }

  /** The file's properties for a Kafka client: all but the registry's. */
  public Map<String, String> kafkaProperties() {
    Map<String, String> kafka = new TreeMap<>();
    properties.forEach(
        (key, value) -> {
          if (REGISTRY_PREFIXES.stream().noneMatch(key::startsWith)) {
            kafka.put(key, value);
          }
        });
    return kafka;
  }

  /** The file's properties for the schema registry client only ({@link #REGISTRY_PREFIXES}). */
  public Map<String, String> registryProperties() {
    Map<String, String> registry = new TreeMap<>();
    properties.forEach(
        (key, value) -> {
          if (REGISTRY_PREFIXES.stream().anyMatch(key::startsWith)) {
            registry.put(key, value);
          }
        });
    return registry;
  }

  /**
   * One client's configuration by the layering rule above.
   *
   * @param bootstrapServers {@code --bootstrap}
   * @param clientId the component's name for this client, or null to leave {@code client.id} as the
   *     file has it (Kafka Streams)
   * @param required the settings the client needs to be correct; values may be any type Kafka
   *     accepts (a class, an instance)
   * @return a new mutable map in key order
   */
  public Map<String, Object> layer(
      String bootstrapServers, String clientId, Map<String, ?> required) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Map<String, Object> layered = new TreeMap<>(kafkaProperties());
    layered.put("bootstrap.servers", bootstrapServers);
    layered.putAll(required);
    if (clientId != null) {
      String prefix = properties.get("client.id");
      layered.put(
          "client.id", prefix == null || prefix.isEmpty() ? clientId : prefix + "-" + clientId);
    }
    return layered;
  }

  /** As {@link #layer}, as {@link Properties} (what Kafka Streams takes). */
  public Properties layerAsProperties(
      String bootstrapServers, String clientId, Map<String, ?> required) {
    Properties props = new Properties();
    props.putAll(layer(bootstrapServers, clientId, required));
    return props;
  }

  /**
   * Whether a key's value is kept out of logs: its name contains password, secret, token, jaas,
   * user.info or private, or its last part is {@code key} or {@code keys}, e.g. {@code
   * ssl.keystore.key}, a PEM private key (ignoring case). A serializer or serde of record keys,
   * such as {@code key.serializer}, is not a secret.
   */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    String last = lower.substring(lower.lastIndexOf('.') + 1);
    return SECRET_PARTS.stream().anyMatch(lower::contains)
        || last.equals("key")
        || last.equals("keys");
  }

  /**
   * {@code config} for a log line, {@code {key=value, ...}} in key order, with {@link #MASK} for
   * the value of every {@link #isSecret secret} key; a class is shown by its name.
   */
  public static String describe(Map<?, ?> config) {
    Map<String, Object> sorted = new TreeMap<>();
    config.forEach((key, value) -> sorted.put(String.valueOf(key), value));
    return sorted.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + "="
                    + (isSecret(e.getKey())
                        ? MASK
                        : e.getValue() instanceof Class<?> type
                            ? type.getName()
                            : String.valueOf(e.getValue())))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /**
   * Where the settings come from, for messages: {@code "Kafka client properties FILE"} or {@code
   * "Lethe's Kafka client settings"}.
   */
  public String origin() {
    return source == null
        ? "Lethe's Kafka client settings"
        : "the Kafka client properties in " + source;
  }

  /**
   * Creates a client with {@code factory}; if that fails (Kafka checks a client's configuration as
   * it is built), an {@link IllegalArgumentException} names the client, this config's file and the
   * innermost cause, e.g. {@code Invalid value FOO for configuration security.protocol}.
   */
  public <T> T create(String client, Supplier<T> factory) {
    try {
      return factory.get();
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new IllegalArgumentException(
          "cannot create the Kafka "
              + client
              + " with "
              + origin()
              + ": "
              + (root.getMessage() != null ? root.getMessage() : root.toString()),
          e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaClientConfig that
        && Objects.equals(source, that.source)
        && properties.equals(that.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, properties);
  }

  /** The file and its properties, secrets masked. */
  @Override
  public String toString() {
    return "KafkaClientConfig" + (source == null ? "" : "(" + source + ")") + describe(properties);
  }
}
