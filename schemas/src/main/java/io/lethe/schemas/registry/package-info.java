/**
 * A client for the Confluent Schema Registry REST API ({@link
 * io.lethe.schemas.registry.SchemaRegistryClient}), used with Confluent, Apicurio's ccompat API,
 * Karapace, Redpanda, or Lethe's {@link io.lethe.local.registry.EmbeddedSchemaRegistry}.
 */
package io.lethe.schemas.registry;
