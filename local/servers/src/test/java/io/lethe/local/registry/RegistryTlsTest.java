package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry over HTTPS with users: Lethe's client reaches it with Confluent's truststore and
 * basic-auth properties, a plain-http request does not get an answer, and the users are checked as
 * over HTTP. The server's key and certificate (SAN IP:127.0.0.1) come from the JDK's keytool.
 */
class RegistryTlsTest {
  private static final Schema V1 =
      SchemaBuilder.record("Customer")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("name")
          .endRecord();

  @TempDir Path dir;

  private Path keystore;
  private Path passwordFile;
  private RegistryUsers users;

  @BeforeEach
  void makeKeystoreAndUsers() throws Exception {
    keystore = dir.resolve("registry.p12");
    passwordFile = Files.writeString(dir.resolve("keystore-password"), "store-pass-123\n");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "registry",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1,DNS:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "store-pass-123")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool ends").isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    users =
        RegistryUsers.load(
            Files.writeString(dir.resolve("users"), "writer: w-pass,write\nreader: r-pass,read\n"));
  }

  @Test
  void shouldServeLethesClientOverHttpsWithItsUsers() {
    try (EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.startInMemory(
                users, RegistryTls.fromPkcs12(keystore, passwordFile));
        SchemaRegistryClient writer = client(registry, "writer:w-pass");
        SchemaRegistryClient reader = client(registry, "reader:r-pass")) {
      assertThat(registry.url()).startsWith("https://127.0.0.1:");

      int id = writer.register("customers-value", V1);

      assertThat(reader.getSchemaById(id)).isEqualTo(V1);
      assertThatThrownBy(() -> reader.register("customers-value", V1))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40301));
    }
  }

  @Test
  void shouldNotAnswerPlainHttp() {
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.startInMemory(
            users, RegistryTls.fromPkcs12(keystore, passwordFile))) {
      URI plain = URI.create(registry.url().replace("https://", "http://") + "/subjects");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

      assertThatThrownBy(
              () ->
                  http.send(
                      HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(5)).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void shouldRefuseAKeystoreItCannotOpenNamingTheFilesNotThePassword() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-the-pass\n");
    assertThatThrownBy(() -> RegistryTls.fromPkcs12(keystore, wrong))
        .hasMessage(
            "cannot open the keystore " + keystore + " as PKCS12 with the password in " + wrong);
    assertThatThrownBy(() -> RegistryTls.fromPkcs12(dir.resolve("none.p12"), passwordFile))
        .hasMessage("cannot read the keystore " + dir.resolve("none.p12") + ": no such file");
    for (String message :
        List.of(
            catchMessage(() -> RegistryTls.fromPkcs12(keystore, wrong)),
            catchMessage(() -> RegistryTls.fromPkcs12(keystore, dir.resolve("absent"))))) {
      assertThat(message).doesNotContain("store-pass-123", "not-the-pass");
    }
  }

  private static String catchMessage(Runnable action) {
    try {
      action.run();
      return "";
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private SchemaRegistryClient client(EmbeddedSchemaRegistry registry, String userInfo) {
    return SchemaRegistryClient.create(
        registry.url(),
        Map.of(
            "basic.auth.credentials.source", "USER_INFO",
            "basic.auth.user.info", userInfo,
            "schema.registry.ssl.truststore.location", keystore.toString(),
            "schema.registry.ssl.truststore.password", "store-pass-123",
            "schema.registry.ssl.truststore.type", "PKCS12"));
  }
}
