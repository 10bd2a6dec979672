package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The registry without Kafka follows the same rules as with it (for broker-less tests). */
class InMemoryRegistryTest {
  private static final Schema V1 =
      SchemaBuilder.record("Customer")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("name")
          .endRecord();
  private static final Schema INCOMPATIBLE =
      SchemaBuilder.record("Customer")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("name")
          .requiredInt("age")
          .endRecord();

  @Test
  void shouldServeTheSameApiFromMemory() {
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory();
        SchemaRegistryClient client = SchemaRegistryClient.create(registry.url())) {
      int id = client.register("customers-value", V1);
      assertThat(client.register("customers-value", V1)).isEqualTo(id);
      assertThat(client.getSchemaById(id)).isEqualTo(V1);
      assertThat(client.versions("customers-value")).containsExactly(1);
      assertThatThrownBy(() -> client.register("customers-value", INCOMPATIBLE))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(409);
                assertThat(e.errorCode()).isEqualTo(409);
              });
      assertThatThrownBy(() -> client.getSchemaById(999))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40403));
    }
  }

  @Test
  void shouldServeAClientConfiguredWithConfluentsPropertyNames() {
    // A registry started without users is open and ignores credentials; a client that sends them
    // must still work against it (RegistryAuthTest checks a registry with users).
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory();
        SchemaRegistryClient client =
            SchemaRegistryClient.create(
                null,
                Map.of(
                    "schema.registry.url", registry.url(),
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "lethe-ingress:pa55"))) {
      int id = client.register("customers-value", V1);

      assertThat(client.settings().authenticates()).isTrue();
      assertThat(client.getSchemaById(id)).isEqualTo(V1);
      assertThat(client.getLatest("customers-value").id()).isEqualTo(id);
    }
  }
}
