package io.lethe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Validates the files under {@code deploy/} against the schemas of the tools that read them: the
 * Compose file against the Compose specification's JSON schema, and the Kubernetes manifests, as
 * {@code kubectl kustomize} renders them, against the OpenAPI schemas of the Strimzi and Flink
 * Kubernetes Operator CRDs (copies in test resources {@code deploy-schemas/}, with their sources).
 */
class DeploySchemasTest {
  private static final String SCHEMAS = "/deploy-schemas/";

  /** The CRDs the manifests are written for; deploy/README.md names the same releases. */
  private static final List<String> CRDS =
      List.of(
          "strimzi-1.2.0-040-Crd-kafka.yaml",
          "strimzi-1.2.0-043-Crd-kafkatopic.yaml",
          "strimzi-1.2.0-044-Crd-kafkauser.yaml",
          "strimzi-1.2.0-045-Crd-kafkanodepool.yaml",
          "flink-kubernetes-operator-1.15.0-flinkdeployments.flink.apache.org-v1.yml");

  /** API groups whose kinds must each be validated against a CRD schema. */
  private static final Set<String> OPERATOR_GROUPS = Set.of("kafka.strimzi.io", "flink.apache.org");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory OPENAPI =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

  private static Path deploy;

  /** "group/version kind" of every version a CRD serves, to that version's schema. */
  private static Map<String, JsonSchema> crdSchemas;

  @BeforeAll
  static void load() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("deploy/README.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory holding deploy/README.md").isNotNull();
    deploy = dir.resolve("deploy");
    crdSchemas = new LinkedHashMap<>();
    for (String file : CRDS) {
      JsonNode crd = yamlDocuments(resource(file)).get(0);
      assertThat(crd.path("kind").asText()).as(file).isEqualTo("CustomResourceDefinition");
      String group = crd.at("/spec/group").asText();
      String kind = crd.at("/spec/names/kind").asText();
      for (JsonNode version : crd.at("/spec/versions")) {
        if (version.path("served").asBoolean()) {
          ObjectNode schema = version.at("/schema/openAPIV3Schema").deepCopy();
          // Every object has these, whether its CRD's schema lists them or not.
          ObjectNode root = schema.with("properties");
          root.putIfAbsent("apiVersion", JSON.createObjectNode().put("type", "string"));
          root.putIfAbsent("kind", JSON.createObjectNode().put("type", "string"));
          root.putIfAbsent("metadata", JSON.createObjectNode().put("type", "object"));
          closeObjects(schema);
          crdSchemas.put(
              group + "/" + version.path("name").asText() + " " + kind, OPENAPI.getSchema(schema));
        }
      }
    }
  }

  @Test
  void shouldMatchTheComposeSpecification() throws IOException {
    ObjectNode specification = (ObjectNode) JSON.readTree(resource("compose-spec.json"));
    // Its $id, "compose_spec.json", is relative, which the validator refuses as a base URI.
    specification.put(
        "$id", "https://github.com/compose-spec/compose-spec/schema/compose-spec.json");
    JsonSchema spec =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(specification);
    JsonNode compose =
        yamlDocuments(Files.readString(deploy.resolve("compose/compose.yaml"))).get(0);
    assertThat(spec.validate(compose))
        .as("compose.yaml against the Compose specification")
        .isEmpty();
    assertThat(compose.has("name"))
        .as("a top-level name, which docker-compose 1.x refuses")
        .isFalse();

    // The schema is strict enough to catch a misspelled key.
    ObjectNode misspelled = compose.deepCopy();
    ((ObjectNode) misspelled.at("/services/kafka")).put("imagee", "apache/kafka:4.2.0");
    assertThat(spec.validate(misspelled)).extracting(ValidationMessage::getMessage).isNotEmpty();
  }

  @Test
  void shouldMatchTheOperatorsCrdSchemas() throws Exception {
    for (String overlay : List.of("k8s/base", "k8s/gpu")) {
      int validated = 0;
      for (JsonNode doc : yamlDocuments(DeployToolsTest.kustomize(deploy, overlay))) {
        String apiVersion = doc.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.split("/")[0] : "";
        if (!OPERATOR_GROUPS.contains(group)) {
          continue;
        }
        String key = apiVersion + " " + doc.path("kind").asText();
        String what = overlay + ": " + key + " " + doc.at("/metadata/name").asText();
        assertThat(crdSchemas).as("a served CRD version for %s", what).containsKey(key);
        assertThat(crdSchemas.get(key).validate(doc)).as(what).isEmpty();
        validated++;
      }
      assertThat(validated).as("operator resources in %s", overlay).isGreaterThan(10);
    }
  }

  @Test
  void shouldRefuseFieldsTheCrdsDoNotDeclare() {
    JsonSchema kafka = crdSchemas.get("kafka.strimzi.io/v1 Kafka");
    JsonNode valid = kafkaWith("listeners");
    assertThat(kafka.validate(valid)).isEmpty();
    ObjectNode unknown = valid.deepCopy();
    ((ObjectNode) unknown.at("/spec/kafka")).put("replicas", 3);
    assertThat(kafka.validate(unknown)).isNotEmpty();
    assertThat(crdSchemas).doesNotContainKey("kafka.strimzi.io/v1beta2 Kafka");
  }

  private static JsonNode kafkaWith(String field) {
    ObjectNode kafka = JSON.createObjectNode();
    kafka.put("apiVersion", "kafka.strimzi.io/v1").put("kind", "Kafka");
    kafka.putObject("metadata").put("name", "k");
    ObjectNode spec = kafka.putObject("spec").putObject("kafka");
    spec.putArray(field)
        .addObject()
        .put("name", "plain")
        .put("port", 9092)
        .put("type", "internal")
        .put("tls", false);
    return kafka;
  }

  /**
   * Makes every object schema that lists its properties refuse others, as the Kubernetes API server
   * does for a structural schema (it prunes unknown fields, and refuses them with strict field
   * validation), unless the schema keeps unknown fields.
   */
  private static void closeObjects(JsonNode schema) {
    if (schema.isObject()) {
      ObjectNode node = (ObjectNode) schema;
      if (node.has("properties")
          && !node.has("additionalProperties")
          && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
        node.put("additionalProperties", false);
      }
      node.elements().forEachRemaining(DeploySchemasTest::closeObjects);
    } else if (schema.isArray()) {
      schema.elements().forEachRemaining(DeploySchemasTest::closeObjects);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DeploySchemasTest.class.getResourceAsStream(SCHEMAS + name)) {
      assertThat(in).as("test resource %s%s", SCHEMAS, name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<JsonNode> yamlDocuments(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(16 * 1024 * 1024);
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(text)) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }
}
