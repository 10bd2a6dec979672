package io.lethe.schemas.registry;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a schema registry is and how to log in to it, in a form that can travel with a Flink
 * operator to the task managers: the URL and Confluent's client properties ({@code basic.auth.*},
 * {@code bearer.auth.*}, {@code schema.registry.ssl.*}). {@link #toString} shows the URL only.
 *
 * @param url the registry's URL
 * @param properties Confluent's registry client properties; may be empty
 */
public record RegistryConnection(String url, Map<String, String> properties)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Copies the properties into a serializable map. */
  public RegistryConnection {
    Objects.requireNonNull(url, "url");
    properties = new TreeMap<>(properties);
  }

  /** A registry that needs no credentials. */
  public static RegistryConnection of(String url) {
    return new RegistryConnection(url, Map.of());
  }

  /** A new client for this registry ({@link SchemaRegistryClient#create(String, Map)}). */
  public SchemaRegistryClient open() {
    return SchemaRegistryClient.create(url, properties);
  }

  @Override
  public String toString() {
    return "RegistryConnection[" + url + "]";
  }
}
