package io.lethe.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client configured with Confluent's property names: basic and bearer credentials on
 * every request, the URL from {@code schema.registry.url}, a truststore for HTTPS.
 */
class RegistryCredentialsTest {
  private static final String STRING_SCHEMA = "{\"schema\":\"\\\"string\\\"\"}";

  @TempDir Path dir;

  @Test
  void shouldSendBasicCredentialsFromUserInfoOnEveryRequest() throws Exception {
    try (StubRegistryServer stub = new StubRegistryServer();
        SchemaRegistryClient client =
            SchemaRegistryClient.create(
                null,
                Map.of(
                    "schema.registry.url", stub.url(),
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "reader:pa55:word"))) {
      stub.answer(200, STRING_SCHEMA).answer(200, "[\"a\"]");

      client.getSchemaById(1);
      client.subjects();

      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString("reader:pa55:word".getBytes(StandardCharsets.UTF_8));
      assertThat(stub.received())
          .extracting(StubRegistryServer.Received::authorization)
          .containsExactly(expected, expected);
      assertThat(client.settings().toString())
          .contains("authorization=Basic [hidden]")
          .doesNotContain(expected.substring(6));
    }
  }

  @Test
  void shouldSendAStaticBearerToken() throws Exception {
    try (StubRegistryServer stub = new StubRegistryServer();
        SchemaRegistryClient client =
            SchemaRegistryClient.create(
                stub.url(),
                Map.of(
                    "bearer.auth.credentials.source", "STATIC_TOKEN",
                    "bearer.auth.token", "t0k3n"))) {
      stub.answer(200, STRING_SCHEMA);

      client.getSchemaById(1);

      assertThat(stub.received())
          .extracting(StubRegistryServer.Received::authorization)
          .containsExactly("Bearer t0k3n");
    }
  }

  @Test
  void shouldTakeBasicCredentialsFromTheUrlAndKeepThemOutOfIt() throws Exception {
    try (StubRegistryServer stub = new StubRegistryServer()) {
      String url = stub.url().replace("://", "://ops:s%3Acret@");
      try (SchemaRegistryClient client = SchemaRegistryClient.create(url, Map.of())) {
        stub.answer(200, STRING_SCHEMA);

        client.getSchemaById(1);

        assertThat(client.settings().baseUrl().toString()).isEqualTo(stub.url());
        assertThat(stub.received())
            .extracting(StubRegistryServer.Received::authorization)
            .containsExactly(
                "Basic " + Base64.getEncoder().encodeToString("ops:s:cret".getBytes()));
      }
    }
  }

  @Test
  void shouldSendNoAuthorizationWithoutCredentials() throws Exception {
    try (StubRegistryServer stub = new StubRegistryServer();
        SchemaRegistryClient client =
            SchemaRegistryClient.create(stub.url(), Map.of("security.protocol", "SASL_SSL"))) {
      stub.answer(200, STRING_SCHEMA);

      client.getSchemaById(1);

      assertThat(stub.received().get(0).authorization()).isNull();
    }
  }

  @Test
  void shouldPreferTheGivenUrlToTheProperties() {
    RegistryClientSettings settings =
        RegistryClientSettings.fromProperties(
            "http://given:1", Map.of("schema.registry.url", "http://file:2"));

    assertThat(settings.baseUrl().toString()).isEqualTo("http://given:1");
    assertThat(settings.authorization()).isNull();
    assertThat(settings.sslContext()).isNull();
  }

  @Test
  void shouldRefuseIncompleteOrConflictingCredentialsNamingTheKey() {
    assertThatThrownBy(
            () ->
                RegistryClientSettings.fromProperties(
                    "http://r:1", Map.of("basic.auth.credentials.source", "USER_INFO")))
        .hasMessage(
            "basic.auth.credentials.source is USER_INFO but basic.auth.user.info"
                + " (user:password) is missing");
    assertThatThrownBy(
            () ->
                RegistryClientSettings.fromProperties(
                    "http://r:1", Map.of("basic.auth.credentials.source", "SASL_INHERIT")))
        .hasMessage(
            "basic.auth.credentials.source is 'SASL_INHERIT'; Lethe's registry client supports"
                + " USER_INFO and URL");
    assertThatThrownBy(
            () ->
                RegistryClientSettings.fromProperties(
                    "http://r:1",
                    Map.of(
                        "basic.auth.credentials.source", "USER_INFO",
                        "basic.auth.user.info", "a:b",
                        "bearer.auth.token", "t")))
        .hasMessageContaining("both HTTP basic");
    assertThatThrownBy(
            () ->
                RegistryClientSettings.fromProperties(
                    "http://r:1", Map.of("bearer.auth.credentials.source", "OAUTHBEARER")))
        .hasMessage(
            "bearer.auth.credentials.source is 'OAUTHBEARER'; Lethe's registry client supports"
                + " STATIC_TOKEN");
    assertThatThrownBy(() -> RegistryClientSettings.fromProperties(null, Map.of()))
        .hasMessage(
            "no schema registry URL: give --registry or schema.registry.url in the client"
                + " properties");
  }

  @Test
  void shouldTrustAnHttpsRegistryThroughTheConfiguredTruststore() throws Exception {
    char[] password = "storepass".toCharArray();
    Path server = dir.resolve("server.p12");
    Path trust = dir.resolve("trust.p12");
    Path cert = dir.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "registry",
        "-keyalg",
        "EC",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        server.toString(),
        "-storepass",
        "storepass");
    keytool(
        "-exportcert",
        "-alias",
        "registry",
        "-keystore",
        server.toString(),
        "-storepass",
        "storepass",
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "registry",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        trust.toString(),
        "-storepass",
        "trustpass");

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(server.toFile())) {
      keys.load(in, password);
    }
    KeyManagerFactory managers = KeyManagerFactory.getInstance("SunX509");
    managers.init(keys, password);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(managers.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverTls));

    try (StubRegistryServer stub = new StubRegistryServer(https)) {
      stub.answer(200, STRING_SCHEMA);
      try (SchemaRegistryClient untrusting =
          new SchemaRegistryClient(
              RegistryClientSettings.of(stub.url()).withRetries(1, java.time.Duration.ZERO))) {
        assertThatThrownBy(() -> untrusting.getSchemaById(1))
            .isInstanceOf(RegistryException.class)
            .hasMessageContaining("SSLHandshakeException");
      }
      try (SchemaRegistryClient client =
          SchemaRegistryClient.create(
              stub.url(),
              Map.of(
                  "schema.registry.ssl.truststore.location", trust.toString(),
                  "schema.registry.ssl.truststore.password", "trustpass",
                  "schema.registry.ssl.truststore.type", "PKCS12"))) {
        assertThat(client.getSchemaById(1)).isEqualTo(Schema.create(Schema.Type.STRING));
      }
    }
  }

  @Test
  void shouldNameAnUnreadableTruststore() {
    Path missing = dir.resolve("missing.p12");

    assertThatThrownBy(
            () ->
                RegistryClientSettings.fromProperties(
                    "https://r:1",
                    Map.of("schema.registry.ssl.truststore.location", missing.toString())))
        .hasMessageStartingWith(
            "cannot read schema.registry.ssl.truststore.location "
                + missing
                + " as a JKS truststore");
  }

  private static void keytool(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
