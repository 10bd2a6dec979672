package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.schemas.registry.RegisteredSchema;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.testing.KafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conformance of the embedded registry to the documented Confluent API, through Lethe's client and
 * through raw HTTP where the exact status and body matter, on a real Kafka broker.
 */
class EmbeddedSchemaRegistryIT {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final AtomicInteger TOPIC_NUMBER = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Schema ORDER_V1 =
      SchemaBuilder.record("Order")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("id")
          .requiredDouble("amount")
          .endRecord();

  /** V1 plus an optional field with a default: BACKWARD and FORWARD compatible. */
  private static final Schema ORDER_WITH_NOTE =
      SchemaBuilder.record("Order")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("id")
          .requiredDouble("amount")
          .optionalString("note")
          .endRecord();

  /** V1 plus a required field without a default: a new reader cannot read V1 data. */
  private static final Schema ORDER_WITH_REQUIRED_CURRENCY =
      SchemaBuilder.record("Order")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("id")
          .requiredDouble("amount")
          .requiredString("currency")
          .endRecord();

  private static final Schema CUSTOMER =
      SchemaBuilder.record("Customer")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("name")
          .endRecord();

  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private final HttpClient http = HttpClient.newHttpClient();
  private String topic;
  private EmbeddedSchemaRegistry registry;
  private SchemaRegistryClient client;

  /** A raw answer: status, content type, and the body as text and (if it is JSON) as a tree. */
  private record Raw(int status, String contentType, String body, JsonNode json) {}

  @BeforeEach
  void startRegistry(TestInfo test) {
    // Each test has its own registry topic, so ids start at 1 and tests do not see each other.
    topic =
        "_schemas-" + TOPIC_NUMBER.incrementAndGet() + "-" + test.getTestMethod().get().getName();
    registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), topic, 0);
    client = new SchemaRegistryClient(RegistryClientSettings.of(registry.url()));
  }

  @AfterEach
  void stopRegistry() {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void shouldGiveTheSameIdAndOneVersionWhenTheSameSchemaIsRegisteredTwice() throws Exception {
    Raw first = post("/subjects/orders-value/versions", schemaBody(ORDER_V1));
    Raw second = post("/subjects/orders-value/versions", schemaBody(ORDER_V1));

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.contentType()).isEqualTo(CONTENT_TYPE);
    assertThat(first.body()).isEqualTo("{\"id\":1}");
    assertThat(second.body()).isEqualTo("{\"id\":1}");
    assertThat(client.register("orders-value", ORDER_V1)).isEqualTo(1);
    assertThat(client.versions("orders-value")).containsExactly(1);
  }

  @Test
  void shouldRefuseANewRequiredFieldUnderBackwardWith409() throws Exception {
    client.register("orders-value", ORDER_V1);

    Raw refused = post("/subjects/orders-value/versions", schemaBody(ORDER_WITH_REQUIRED_CURRENCY));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.contentType()).isEqualTo(CONTENT_TYPE);
    assertThat(fieldNames(refused.json())).containsExactly("error_code", "message");
    assertThat(refused.json().get("error_code").intValue()).isEqualTo(409);
    assertThat(refused.json().get("message").textValue())
        .startsWith(
            "Schema being registered is incompatible with an earlier schema for subject"
                + " \"orders-value\", details: [the new schema cannot read data written with"
                + " version 1: READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/2'");
    RegistryException viaClient =
        catchThrowableOfType(
            RegistryException.class,
            () -> client.register("orders-value", ORDER_WITH_REQUIRED_CURRENCY));
    assertThat(viaClient.httpStatus()).isEqualTo(409);
    assertThat(viaClient.errorCode()).isEqualTo(409);
    assertThat(viaClient).hasMessageContaining("\"orders-value\"");
    assertThat(client.versions("orders-value")).containsExactly(1);
  }

  @Test
  void shouldRegisterACompatibleChangeAsANewVersionWithANewId() throws Exception {
    int firstId = client.register("orders-value", ORDER_V1);
    int secondId = client.register("orders-value", ORDER_WITH_NOTE);

    assertThat(firstId).isEqualTo(1);
    assertThat(secondId).isEqualTo(2);
    assertThat(client.versions("orders-value")).containsExactly(1, 2);
    assertThat(client.getLatest("orders-value"))
        .isEqualTo(new RegisteredSchema("orders-value", 2, 2, ORDER_WITH_NOTE));
    assertThat(client.getVersion("orders-value", 1))
        .isEqualTo(new RegisteredSchema("orders-value", 1, 1, ORDER_V1));
    Raw version = get("/subjects/orders-value/versions/2");
    assertThat(fieldNames(version.json())).containsExactly("subject", "version", "id", "schema");
    assertThat(version.json().get("schema").textValue()).isEqualTo(ORDER_WITH_NOTE.toString());
    assertThat(get("/subjects/orders-value/versions/-1").json()).isEqualTo(version.json());
  }

  @Test
  void shouldAnswerAnUnknownIdWith404And40403() throws Exception {
    Raw missing = get("/schemas/ids/999");

    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.contentType()).isEqualTo(CONTENT_TYPE);
    assertThat(missing.body())
        .isEqualTo("{\"error_code\":40403,\"message\":\"Schema 999 not found\"}");
    RegistryException viaClient =
        catchThrowableOfType(RegistryException.class, () -> client.getSchemaById(999));
    assertThat(viaClient)
        .hasMessage(
            "GET "
                + registry.url()
                + "/schemas/ids/999 failed: HTTP 404, error_code 40403: Schema 999 not found");
  }

  @Test
  void shouldAnswerAnUnknownSubjectWith40401() throws Exception {
    Raw versions = get("/subjects/nobody/versions");
    Raw latest = get("/subjects/nobody/versions/latest");
    Raw lookup = post("/subjects/nobody", schemaBody(ORDER_V1));

    for (Raw raw : List.of(versions, latest, lookup)) {
      assertThat(raw.status()).isEqualTo(404);
      assertThat(raw.body())
          .isEqualTo("{\"error_code\":40401,\"message\":\"Subject 'nobody' not found.\"}");
    }
    RegistryException viaClient =
        catchThrowableOfType(RegistryException.class, () -> client.getLatest("nobody"));
    assertThat(viaClient.errorCode()).isEqualTo(40401);
  }

  @Test
  void shouldRejectAnInvalidSchemaWith42201() throws Exception {
    Raw invalid =
        post("/subjects/orders-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"recrod\\\"}\"}");
    Raw notAvro =
        post(
            "/subjects/orders-value/versions",
            "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
    Raw empty = post("/subjects/orders-value/versions", "{}");

    for (Raw raw : List.of(invalid, notAvro, empty)) {
      assertThat(raw.status()).isEqualTo(422);
      assertThat(raw.json().get("error_code").intValue()).isEqualTo(42201);
      assertThat(raw.json().get("message").textValue()).startsWith("Invalid schema: ");
    }
    assertThat(notAvro.json().get("message").textValue()).contains("PROTOBUF");
    assertThat(get("/subjects").body()).isEqualTo("[]");
  }

  @Test
  void shouldKeepIdsAndVersionsAcrossARestartAndNeverReuseAnId() {
    assertThat(client.register("orders-value", ORDER_V1)).isEqualTo(1);
    assertThat(client.register("orders-value", ORDER_WITH_NOTE)).isEqualTo(2);
    assertThat(client.register("archive-value", ORDER_V1)).isEqualTo(1);
    client.setCompatibility("orders-value", "FULL");
    client.setCompatibility(null, "FORWARD");
    client.close();
    registry.close();

    registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), topic, 0);
    client = new SchemaRegistryClient(RegistryClientSettings.of(registry.url()));

    assertThat(client.subjects()).containsExactly("archive-value", "orders-value");
    assertThat(client.getSchemaById(1)).isEqualTo(ORDER_V1);
    assertThat(client.getSchemaById(2)).isEqualTo(ORDER_WITH_NOTE);
    assertThat(client.versions("orders-value")).containsExactly(1, 2);
    assertThat(client.getLatest("orders-value"))
        .isEqualTo(new RegisteredSchema("orders-value", 2, 2, ORDER_WITH_NOTE));
    assertThat(client.lookup("archive-value", ORDER_V1))
        .isEqualTo(new RegisteredSchema("archive-value", 1, 1, ORDER_V1));
    assertThat(client.getCompatibility("orders-value")).isEqualTo("FULL");
    assertThat(client.getCompatibility(null)).isEqualTo("FORWARD");
    assertThat(client.register("customers-value", CUSTOMER)).isEqualTo(3);
    assertThat(client.register("orders-value", ORDER_WITH_NOTE)).isEqualTo(2);
    assertThat(client.versions("orders-value")).containsExactly(1, 2);
  }

  @Test
  void shouldLetASubjectLevelNoneOverrideTheGlobalBackward() {
    client.register("orders-value", ORDER_V1);
    client.register("audit-value", ORDER_V1);

    client.setCompatibility("orders-value", "NONE");

    assertThat(client.getCompatibility(null)).isEqualTo("BACKWARD");
    assertThat(client.getCompatibility("orders-value")).isEqualTo("NONE");
    assertThat(client.testCompatibility("orders-value", ORDER_WITH_REQUIRED_CURRENCY)).isTrue();
    assertThat(client.register("orders-value", ORDER_WITH_REQUIRED_CURRENCY)).isEqualTo(2);
    assertThat(client.versions("orders-value")).containsExactly(1, 2);
    assertThat(client.testCompatibility("audit-value", ORDER_WITH_REQUIRED_CURRENCY)).isFalse();
    assertThatThrownBy(() -> client.register("audit-value", ORDER_WITH_REQUIRED_CURRENCY))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("HTTP 409, error_code 409")
        .hasMessageContaining("\"audit-value\"");
  }

  @Test
  void shouldServeConfigWithConfluentShapesAndErrors() throws Exception {
    assertThat(get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

    Raw put = send("PUT", "/config", "{\"compatibility\":\"FULL\"}");
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.body()).isEqualTo("{\"compatibility\":\"FULL\"}");
    assertThat(get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");

    Raw unset = get("/config/orders-value");
    assertThat(unset.status()).isEqualTo(404);
    assertThat(unset.json().get("error_code").intValue()).isEqualTo(40408);
    assertThat(get("/config/orders-value?defaultToGlobal=true").body())
        .isEqualTo("{\"compatibilityLevel\":\"FULL\"}");

    Raw subjectPut =
        send("PUT", "/config/orders-value", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
    assertThat(subjectPut.body()).isEqualTo("{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
    assertThat(get("/config/orders-value").body())
        .isEqualTo("{\"compatibilityLevel\":\"BACKWARD_TRANSITIVE\"}");

    Raw invalid = send("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.json().get("error_code").intValue()).isEqualTo(42203);
    assertThat(get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
  }

  @Test
  void shouldCheckTransitiveLevelsAgainstEveryLiveVersion() {
    Schema withNoteDefaultX =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.lethe.test\",\"fields\":["
                    + "{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"note\",\"type\":\"string\",\"default\":\"x\"}]}");
    // v1 {id, amount}; v2 {id} (drops amount: backward compatible with v1 reading-wise? a reader
    // without 'amount' can read v1 data); v3 adds 'note' with a default: fine against v2, and
    // against v1 too. A v3 that re-adds 'amount' as a string is fine against v2 only.
    Schema idOnly =
        SchemaBuilder.record("Order")
            .namespace("io.lethe.test")
            .fields()
            .requiredString("id")
            .endRecord();
    Schema amountAsString =
        SchemaBuilder.record("Order")
            .namespace("io.lethe.test")
            .fields()
            .requiredString("id")
            .name("amount")
            .type()
            .stringType()
            .stringDefault("0")
            .endRecord();
    client.register("orders-value", ORDER_V1);
    client.register("orders-value", idOnly);

    assertThat(client.testCompatibility("orders-value", amountAsString)).isTrue();
    client.setCompatibility("orders-value", "BACKWARD_TRANSITIVE");
    assertThat(client.testCompatibility("orders-value", amountAsString)).isFalse();
    assertThat(client.testCompatibility("orders-value", withNoteDefaultX)).isTrue();
  }

  @Test
  void shouldReportIncompatibilityMessagesOnlyWhenVerbose() throws Exception {
    client.register("orders-value", ORDER_V1);

    Raw terse =
        post(
            "/compatibility/subjects/orders-value/versions/latest",
            schemaBody(ORDER_WITH_REQUIRED_CURRENCY));
    Raw verbose =
        post(
            "/compatibility/subjects/orders-value/versions/latest?verbose=true",
            schemaBody(ORDER_WITH_REQUIRED_CURRENCY));
    Raw compatible =
        post("/compatibility/subjects/orders-value/versions/1", schemaBody(ORDER_WITH_NOTE));
    Raw newSubject =
        post("/compatibility/subjects/fresh-value/versions/latest", schemaBody(ORDER_V1));

    assertThat(terse.body()).isEqualTo("{\"is_compatible\":false}");
    assertThat(verbose.json().get("is_compatible").booleanValue()).isFalse();
    assertThat(verbose.json().get("messages")).hasSize(1);
    assertThat(verbose.json().get("messages").get(0).textValue())
        .isEqualTo(
            "the new schema cannot read data written with version 1:"
                + " READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/2': currency");
    assertThat(compatible.body()).isEqualTo("{\"is_compatible\":true}");
    assertThat(newSubject.body()).isEqualTo("{\"is_compatible\":true}");
  }

  @Test
  void shouldLookUpWhereASchemaIsRegisteredUnderASubject() throws Exception {
    client.register("orders-value", ORDER_V1);
    client.register("orders-value", ORDER_WITH_NOTE);

    Raw found = post("/subjects/orders-value", schemaBody(ORDER_V1));
    Raw notThere = post("/subjects/orders-value", schemaBody(CUSTOMER));

    assertThat(found.status()).isEqualTo(200);
    assertThat(fieldNames(found.json())).containsExactly("subject", "version", "id", "schema");
    assertThat(found.json().get("subject").textValue()).isEqualTo("orders-value");
    assertThat(found.json().get("version").intValue()).isEqualTo(1);
    assertThat(found.json().get("id").intValue()).isEqualTo(1);
    assertThat(notThere.status()).isEqualTo(404);
    assertThat(notThere.body())
        .isEqualTo("{\"error_code\":40403,\"message\":\"Schema not found\"}");
    assertThat(client.lookup("orders-value", ORDER_WITH_NOTE))
        .isEqualTo(new RegisteredSchema("orders-value", 2, 2, ORDER_WITH_NOTE));
  }

  @Test
  void shouldShareOneIdAcrossSubjectsAndListWhereItIsUsed() throws Exception {
    client.register("orders-value", ORDER_V1);
    client.register("archive-value", CUSTOMER);
    // An archive subject holds unrelated record types, so it opts out of compatibility checks.
    client.setCompatibility("archive-value", "NONE");
    client.register("archive-value", ORDER_V1);

    assertThat(client.getLatest("archive-value").id()).isEqualTo(1);
    assertThat(get("/schemas/ids/1/versions").body())
        .isEqualTo(
            "[{\"subject\":\"archive-value\",\"version\":2},"
                + "{\"subject\":\"orders-value\",\"version\":1}]");
    assertThat(get("/schemas/ids/1").body())
        .isEqualTo(JSON.createObjectNode().put("schema", ORDER_V1.toString()).toString());
    assertThat(get("/subjects/archive-value/versions/2/schema").body())
        .isEqualTo(ORDER_V1.toString());
  }

  @Test
  void shouldSoftDeleteSubjectsAndVersionsButKeepIdsResolvable() throws Exception {
    client.register("orders-value", ORDER_V1);
    client.register("orders-value", ORDER_WITH_NOTE);
    client.register("audit-value", CUSTOMER);

    Raw deletedVersion = send("DELETE", "/subjects/orders-value/versions/1", null);
    assertThat(deletedVersion.body()).isEqualTo("1");
    assertThat(client.versions("orders-value")).containsExactly(2);
    assertThat(get("/subjects/orders-value/versions/1").json().get("error_code").intValue())
        .isEqualTo(40402);
    assertThat(get("/subjects/orders-value/versions?deleted=true").body()).isEqualTo("[1,2]");

    Raw deletedSubject = send("DELETE", "/subjects/orders-value", null);
    assertThat(deletedSubject.body()).isEqualTo("[2]");
    assertThat(client.subjects()).containsExactly("audit-value");
    assertThat(get("/subjects?deleted=true").body())
        .isEqualTo("[\"audit-value\",\"orders-value\"]");
    assertThat(get("/schemas/ids/2").status()).isEqualTo(200);

    // Re-registering continues the version sequence and keeps the schema's id.
    Raw again = post("/subjects/orders-value/versions", schemaBody(ORDER_V1));
    assertThat(again.body()).isEqualTo("{\"id\":1}");
    assertThat(client.getLatest("orders-value"))
        .isEqualTo(new RegisteredSchema("orders-value", 1, 3, ORDER_V1));
  }

  @Test
  void shouldRejectInvalidVersionsWith42202() throws Exception {
    client.register("orders-value", ORDER_V1);

    for (String version : List.of("0", "-2", "first")) {
      Raw raw = get("/subjects/orders-value/versions/" + version);
      assertThat(raw.status()).as(version).isEqualTo(422);
      assertThat(raw.json().get("error_code").intValue()).as(version).isEqualTo(42202);
    }
    Raw missing = get("/subjects/orders-value/versions/7");
    assertThat(missing.body())
        .isEqualTo("{\"error_code\":40402,\"message\":\"Version 7 not found.\"}");
  }

  @Test
  void shouldAnswerUnknownPathsAndMethodsWithJsonErrors() throws Exception {
    Raw unknownPath = get("/nothing/here");
    Raw wrongMethod = send("DELETE", "/schemas/ids/1", null);
    Raw notJson = post("/subjects/orders-value/versions", "schema please");

    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.body())
        .isEqualTo("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.body())
        .isEqualTo("{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().get("error_code").intValue()).isEqualTo(400);
  }

  @Test
  void shouldHandleSubjectNamesThatNeedEncoding() {
    String subject = "orders value/v1+test";

    assertThat(client.register(subject, ORDER_V1)).isEqualTo(1);

    assertThat(client.subjects()).containsExactly(subject);
    assertThat(client.getLatest(subject).subject()).isEqualTo(subject);
  }

  @Test
  void shouldGiveConcurrentRegistrationsDistinctConsecutiveIds() throws Exception {
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Callable<Integer>> registrations = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Schema schema =
            SchemaBuilder.record("Event" + i)
                .namespace("io.lethe.test")
                .fields()
                .requiredInt("n")
                .endRecord();
        String subject = "events-" + i;
        registrations.add(() -> client.register(subject, schema));
      }
      List<Integer> ids = new ArrayList<>();
      for (Future<Integer> id : pool.invokeAll(registrations, 60, TimeUnit.SECONDS)) {
        ids.add(id.get());
      }

      assertThat(Set.copyOf(ids)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldCreateItsTopicCompactedWithOnePartition() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config =
          admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);

      assertThat(description.partitions()).hasSize(1);
      assertThat(description.partitions().get(0).replicas()).hasSize(1);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }
  }

  @Test
  void shouldStoreChangesAsConfluentStyleRecordsInItsTopic() throws Exception {
    client.register("orders-value", ORDER_V1);
    client.setCompatibility(null, "FULL");
    send("DELETE", "/subjects/orders-value/versions/1", null);

    List<String> records = readTopic(topic, 3);

    String schemaKey =
        "{\"keytype\":\"SCHEMA\",\"subject\":\"orders-value\",\"version\":1,\"magic\":1}";
    assertThat(records)
        .containsExactly(
            schemaKey + " -> " + storedOrderV1(false),
            "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0} -> {\"compatibilityLevel\":\"FULL\"}",
            schemaKey + " -> " + storedOrderV1(true));
  }

  private static String storedOrderV1(boolean deleted) {
    return JSON.createObjectNode()
        .put("subject", "orders-value")
        .put("version", 1)
        .put("id", 1)
        .put("schema", ORDER_V1.toString())
        .put("deleted", deleted)
        .toString();
  }

  @Test
  void shouldRefuseToStartOnATopicWithAMalformedRecordNamingItsOffset() throws Exception {
    String corrupt = topic + "-corrupt";
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  corrupt, "{\"keytype\":\"SCHEMA\"".getBytes(StandardCharsets.UTF_8), null))
          .get(30, TimeUnit.SECONDS);
    }

    assertThatThrownBy(() -> EmbeddedSchemaRegistry.start(broker.bootstrapServers(), corrupt, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Schema registry topic '"
                + corrupt
                + "' has a malformed record at partition 0 offset 0: key is not JSON");
  }

  @Test
  void shouldRefusePermanentDeletesThatCouldLeadToReusedIds() throws Exception {
    client.register("orders-value", ORDER_V1);
    send("DELETE", "/subjects/orders-value", null);

    Raw permanent = send("DELETE", "/subjects/orders-value?permanent=true", null);

    assertThat(permanent.status()).isEqualTo(501);
    assertThat(permanent.json().get("error_code").intValue()).isEqualTo(501);
    assertThat(get("/subjects/orders-value/versions?deleted=true").body()).isEqualTo("[1]");
  }

  @Test
  void shouldFailStartupWithAMessageNamingTheBootstrapServersAndTopic() {
    long started = System.nanoTime();

    assertThatThrownBy(
            () ->
                EmbeddedSchemaRegistry.start(
                    "127.0.0.1:1", "_schemas-unreachable", 0, Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Embedded schema registry could not start on Kafka topic '_schemas-unreachable' at"
                + " bootstrap servers 127.0.0.1:1: ");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void shouldRefuseRequestsAfterClose() {
    String url = registry.url();
    registry.close();

    SchemaRegistryClient late =
        new SchemaRegistryClient(RegistryClientSettings.of(url).withRetries(1, Duration.ZERO));
    RegistryException failure = catchThrowableOfType(RegistryException.class, late::subjects);
    late.close();

    assertThat(failure.httpStatus()).isEqualTo(RegistryException.NO_HTTP_STATUS);
  }

  /** The first {@code count} records of a topic as "key -> value" text. */
  private static List<String> readTopic(String name, int count) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(name, 0)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(100))
                    .forEach(record -> records.add(record.key() + " -> " + record.value()));
                return records.size() >= count;
              });
    }
    return records;
  }

  private Raw get(String pathAndQuery) throws Exception {
    return send("GET", pathAndQuery, null);
  }

  private Raw post(String pathAndQuery, String body) throws Exception {
    return send("POST", pathAndQuery, body);
  }

  private Raw send(String method, String pathAndQuery, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry.url() + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", CONTENT_TYPE);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (Exception notJson) {
      json = null;
    }
    return new Raw(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(null),
        response.body(),
        json);
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
