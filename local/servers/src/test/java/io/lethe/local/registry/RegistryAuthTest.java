package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.local.registry.RegistryUsers.Role;
import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry started with users: every request needs a user's basic credentials, reads need any
 * role, registrations and compatibility changes {@code write}, deletes {@code admin}; refusals are
 * Confluent's 40101 and 40301 errors.
 */
class RegistryAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Schema V1 =
      SchemaBuilder.record("Customer")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("name")
          .endRecord();
  private static final String SUBJECT = "customers-value";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedSchemaRegistry registry;

  @BeforeEach
  void start() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("users.properties"),
            """
            # name: password,roles
            reader: r-pass,read
            writer: w-pass, write
            admin: a-pass,admin
            nobody: n-pass
            both: b-pass,read,write
            """);
    registry = EmbeddedSchemaRegistry.startInMemory(RegistryUsers.load(file));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void shouldRefuseAnonymousAndWrongCredentialsWithAChallengeOnEveryRoute() throws Exception {
    String[] wrong = {
      null, basic("reader", "wrong"), basic("stranger", "r-pass"), "Basic not-base64!", "Bearer x"
    };
    for (String authorization : wrong) {
      for (HttpResponse<String> response :
          new HttpResponse[] {
            send("GET", "/subjects", authorization, null),
            send("POST", "/subjects/" + SUBJECT + "/versions", authorization, schemaBody()),
            send("PUT", "/config", authorization, "{\"compatibility\":\"NONE\"}"),
            send("DELETE", "/subjects/" + SUBJECT, authorization, null),
            send("GET", "/nothing", authorization, null)
          }) {
        assertError(response, 401, 40101);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
            .hasValue("Basic realm=\"lethe-registry\"");
        assertThat(response.body()).doesNotContain("r-pass");
      }
    }
  }

  @Test
  void shouldLetEachRoleDoWhatItAllowsAndRefuseTheRestWith403() throws Exception {
    String reader = basic("reader", "r-pass");
    String writer = basic("writer", "w-pass");
    String admin = basic("admin", "a-pass");
    String nobody = basic("nobody", "n-pass");
    String register = "/subjects/" + SUBJECT + "/versions";

    assertError(send("POST", register, reader, schemaBody()), 403, 40301);
    assertThat(send("POST", register, writer, schemaBody()).statusCode()).isEqualTo(200);
    assertThat(send("POST", register, admin, schemaBody()).statusCode()).isEqualTo(200);
    assertThat(send("POST", register, basic("both", "b-pass"), schemaBody()).statusCode())
        .isEqualTo(200);

    for (String caller : new String[] {reader, writer, admin}) {
      assertThat(send("GET", "/subjects", caller, null).body()).isEqualTo("[\"" + SUBJECT + "\"]");
      assertThat(send("GET", "/schemas/ids/1", caller, null).statusCode()).isEqualTo(200);
      // a lookup and a compatibility test change nothing: readers may do both
      assertThat(send("POST", "/subjects/" + SUBJECT, caller, schemaBody()).statusCode())
          .isEqualTo(200);
      assertThat(
              send(
                      "POST",
                      "/compatibility/subjects/" + SUBJECT + "/versions/latest",
                      caller,
                      schemaBody())
                  .statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> noRole = send("GET", "/subjects", nobody, null);
    assertError(noRole, 403, 40301);
    assertThat(JSON.readTree(noRole.body()).get("message").asText())
        .isEqualTo("User 'nobody' may not read this registry: that needs the role read");

    String config = "{\"compatibility\":\"FULL\"}";
    HttpResponse<String> readerConfig = send("PUT", "/config/" + SUBJECT, reader, config);
    assertError(readerConfig, 403, 40301);
    assertThat(JSON.readTree(readerConfig.body()).get("message").asText())
        .isEqualTo(
            "User 'reader' may not register schemas or change compatibility: that needs the role"
                + " write");
    assertThat(send("PUT", "/config/" + SUBJECT, writer, config).statusCode()).isEqualTo(200);

    HttpResponse<String> writerDelete = send("DELETE", "/subjects/" + SUBJECT, writer, null);
    assertError(writerDelete, 403, 40301);
    assertThat(JSON.readTree(writerDelete.body()).get("message").asText())
        .isEqualTo("User 'writer' may not delete subjects or versions: that needs the role admin");
    assertError(send("DELETE", "/subjects/" + SUBJECT + "/versions/1", reader, null), 403, 40301);
    assertThat(send("DELETE", "/subjects/" + SUBJECT, admin, null).body()).isEqualTo("[1]");
    assertThat(send("GET", "/subjects", reader, null).body()).isEqualTo("[]");
  }

  @Test
  void shouldServeLethesClientWithConfluentsBasicAuthProperties() {
    Map<String, String> writer = new LinkedHashMap<>();
    writer.put("basic.auth.credentials.source", "USER_INFO");
    writer.put("basic.auth.user.info", "writer:w-pass");
    Map<String, String> reader = new LinkedHashMap<>(writer);
    reader.put("basic.auth.user.info", "reader:r-pass");
    try (SchemaRegistryClient writing = SchemaRegistryClient.create(registry.url(), writer);
        SchemaRegistryClient reading = SchemaRegistryClient.create(registry.url(), reader);
        SchemaRegistryClient anonymous = SchemaRegistryClient.create(registry.url())) {
      int id = writing.register(SUBJECT, V1);

      assertThat(reading.getSchemaById(id)).isEqualTo(V1);
      assertThatThrownBy(() -> reading.register(SUBJECT, V1))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40301));
      assertThatThrownBy(anonymous::subjects)
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40101));
    }
  }

  @Test
  void shouldWriteAUsersFileOnlyItsOwnerCanReadAndReadItBack() throws Exception {
    Map<String, String> passwords = new LinkedHashMap<>();
    passwords.put("lethe-admin", "secret-1");
    passwords.put("lethe-job", "secret-2");
    Path file =
        RegistryUsers.write(
            dir.resolve("security/registry-users.properties"),
            passwords,
            Map.of("lethe-admin", Role.ADMIN, "lethe-job", Role.WRITE));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    RegistryUsers users = RegistryUsers.load(file);
    assertThat(users.authenticate(basic("lethe-job", "secret-2")))
        .hasValueSatisfying(p -> assertThat(p.may(Role.WRITE)).isTrue())
        .hasValueSatisfying(p -> assertThat(p.may(Role.ADMIN)).isFalse());
    assertThat(users.authenticate(basic("lethe-job", "secret-1"))).isEmpty();
  }

  @Test
  void shouldRefuseABadUsersFileNamingTheLineNeverThePassword() throws Exception {
    assertRefused("reader r-pass\n", "line 1: expected 'name: password[,role...]'");
    assertRefused(
        "# ok\nreader: r-pass,reed\n",
        "line 2: user 'reader' has the unknown role 'reed'; roles are read, write, admin");
    assertRefused(
        "reader: MD5:164c88b302622e17050af52c89945d44,read\n",
        "line 1: user 'reader' has an MD5 password; this registry reads plain passwords only");
    assertRefused(
        "reader: r-pass,read\nreader: other-pass,write\n", "line 2: user 'reader' is listed twice");
    assertRefused("# nobody yet\n", "lists no user");
    assertThatThrownBy(() -> RegistryUsers.load(dir.resolve("absent")))
        .hasMessage(
            "cannot read the registry users file " + dir.resolve("absent") + ": no such file");
  }

  private void assertRefused(String text, String message) throws Exception {
    Path file = Files.writeString(dir.resolve("bad-users"), text);
    assertThatThrownBy(() -> RegistryUsers.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(message)
        .message()
        .doesNotContain("r-pass", "other-pass", "164c88b3");
  }

  private static void assertError(HttpResponse<String> response, int status, int errorCode)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(CONTENT_TYPE);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("error_code").asInt()).isEqualTo(errorCode);
    assertThat(body.get("message").asText()).isNotBlank();
  }

  private String schemaBody() {
    return JSON.createObjectNode().put("schema", V1.toString()).toString();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(String method, String path, String authorization, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", CONTENT_TYPE)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
