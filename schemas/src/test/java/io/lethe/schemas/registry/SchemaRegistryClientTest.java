package io.lethe.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Schema ORDER =
      SchemaBuilder.record("Order")
          .namespace("io.lethe.test")
          .fields()
          .requiredString("id")
          .requiredDouble("amount")
          .endRecord();

  private StubRegistryServer stub;
  private SchemaRegistryClient client;

  @BeforeEach
  void startStub() throws Exception {
    stub = new StubRegistryServer();
    // Short backoff so retry tests stay fast; attempts as in the defaults.
    client =
        new SchemaRegistryClient(
            RegistryClientSettings.of(stub.url()).withRetries(4, Duration.ofMillis(10)));
  }

  @AfterEach
  void stopStub() {
    client.close();
    stub.close();
  }

  @Test
  void shouldRetryServiceUnavailableAndReturnTheEventualAnswer() {
    stub.answer(503, "{\"error_code\":50003,\"message\":\"busy\"}")
        .answer(503, "")
        .answer(200, "{\"schema\":\"\\\"string\\\"\"}");

    Schema schema = client.getSchemaById(7);

    assertThat(schema).isEqualTo(Schema.create(Schema.Type.STRING));
    assertThat(stub.received()).hasSize(3);
    assertThat(stub.received())
        .extracting(StubRegistryServer.Received::rawPath)
        .containsOnly("/schemas/ids/7");
  }

  @Test
  void shouldGiveUpOn5xxAfterMaxAttemptsWithTheLastStatusAndErrorCode() {
    for (int i = 0; i < 4; i++) {
      stub.answer(503, "{\"error_code\":50003,\"message\":\"busy\"}");
    }

    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> client.getSchemaById(7));

    assertThat(failure.httpStatus()).isEqualTo(503);
    assertThat(failure.errorCode()).isEqualTo(50003);
    assertThat(failure)
        .hasMessage(
            "GET "
                + stub.url()
                + "/schemas/ids/7 failed: HTTP 503, error_code 50003: busy"
                + " (after 4 attempts)");
    assertThat(stub.received()).hasSize(4);
  }

  @Test
  void shouldNotRetryClientErrorsAndReportConfluentErrorBody() {
    stub.answer(404, "{\"error_code\":40403,\"message\":\"Schema 999 not found\"}");

    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> client.getSchemaById(999));

    assertThat(failure.httpStatus()).isEqualTo(404);
    assertThat(failure.errorCode()).isEqualTo(40403);
    assertThat(failure)
        .hasMessage(
            "GET "
                + stub.url()
                + "/schemas/ids/999 failed: HTTP 404, error_code 40403: Schema 999 not found");
    assertThat(stub.received()).hasSize(1);
  }

  @Test
  void shouldNotRetryAnIncompatibleRegistration() {
    stub.answer(
        409, "{\"error_code\":409,\"message\":\"incompatible with subject \\\"orders\\\"\"}");

    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> client.register("orders", ORDER));

    assertThat(failure.httpStatus()).isEqualTo(409);
    assertThat(failure.errorCode()).isEqualTo(409);
    assertThat(failure).hasMessageContaining("POST " + stub.url() + "/subjects/orders/versions");
    assertThat(stub.received()).hasSize(1);
  }

  @Test
  void shouldTimeOutAgainstAServerThatNeverAnswers() {
    stub.hang();
    SchemaRegistryClient impatient =
        new SchemaRegistryClient(
            new RegistryClientSettings(
                URI.create(stub.url()),
                Duration.ofSeconds(2),
                Duration.ofMillis(300),
                2,
                Duration.ofMillis(10)));

    long started = System.nanoTime();
    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> impatient.subjects());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    impatient.close();

    assertThat(failure.httpStatus()).isEqualTo(RegistryException.NO_HTTP_STATUS);
    assertThat(failure.errorCode()).isEqualTo(RegistryException.NO_ERROR_CODE);
    assertThat(failure)
        .hasMessage(
            "GET "
                + stub.url()
                + "/subjects failed: timed out waiting PT0.3S for an answer (after 2 attempts)");
    // The stub records a request when its handler runs, which a busy machine may delay.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(stub.received()).hasSize(2));
    // Two attempts of 300 ms each; far below the defaults, with slack for a busy machine.
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void shouldReportATransportFailureWithStatusZeroWhenNothingListens() throws Exception {
    String deadUrl;
    try (StubRegistryServer closed = new StubRegistryServer()) {
      deadUrl = closed.url();
    }
    SchemaRegistryClient toNowhere =
        new SchemaRegistryClient(
            RegistryClientSettings.of(deadUrl).withRetries(2, Duration.ofMillis(1)));

    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> toNowhere.getSchemaById(1));
    toNowhere.close();

    assertThat(failure.httpStatus()).isZero();
    assertThat(failure.errorCode()).isEqualTo(-1);
    assertThat(failure).hasMessageStartingWith("GET " + deadUrl + "/schemas/ids/1 failed: ");
    assertThat(failure).hasMessageEndingWith("(after 2 attempts)");
  }

  @Test
  void shouldReportANonJsonErrorBodyWithoutAnErrorCode() {
    SchemaRegistryClient once =
        new SchemaRegistryClient(
            RegistryClientSettings.of(stub.url()).withRetries(1, Duration.ZERO));
    stub.answer(502, "<html>Bad Gateway</html>");

    RegistryException failure =
        catchThrowableOfType(RegistryException.class, () -> once.getLatest("orders"));
    once.close();

    assertThat(failure.httpStatus()).isEqualTo(502);
    assertThat(failure.errorCode()).isEqualTo(-1);
    assertThat(failure)
        .hasMessage(
            "GET "
                + stub.url()
                + "/subjects/orders/versions/latest failed: HTTP 502: <html>Bad Gateway</html>");
  }

  @Test
  void shouldTurnOddSuccessBodiesIntoRegistryExceptionsNotNullPointers() {
    stub.answer(200, "{}").answer(200, "[1,").answer(200, "{\"id\":\"one\"}").answer(200, "");

    assertThatThrownBy(() -> client.getSchemaById(1))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("expected a string field 'schema'");
    assertThatThrownBy(() -> client.versions("orders"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> client.register("orders", ORDER))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("expected an integer field 'id'");
    assertThatThrownBy(() -> client.subjects())
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("empty body");
  }

  @Test
  void shouldAskForASchemaByIdOnlyOnce() {
    stub.answer(200, "{\"schema\":" + quote(ORDER.toString()) + "}");

    Schema first = client.getSchemaById(3);
    Schema second = client.getSchemaById(3);

    assertThat(first).isEqualTo(ORDER);
    assertThat(second).isSameAs(first);
    assertThat(stub.received()).hasSize(1);
  }

  @Test
  void shouldRegisterWithConfluentMediaTypeEncodedSubjectAndCacheTheId() {
    stub.answer(200, "{\"id\":42}");

    int first = client.register("orders value/v1", ORDER);
    int second = client.register("orders value/v1", ORDER);

    assertThat(first).isEqualTo(42);
    assertThat(second).isEqualTo(42);
    assertThat(stub.received()).hasSize(1);
    StubRegistryServer.Received request = stub.received().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.rawPath()).isEqualTo("/subjects/orders%20value%2Fv1/versions");
    assertThat(request.contentType()).isEqualTo(CONTENT_TYPE);
    assertThat(request.accept()).isEqualTo(CONTENT_TYPE);
    assertThat(request.body()).isEqualTo("{\"schema\":" + quote(ORDER.toString()) + "}");
  }

  @Test
  void shouldAskForTheLatestVersionEveryTime() {
    String body =
        "{\"subject\":\"orders\",\"id\":5,\"version\":2,\"schema\":"
            + quote(ORDER.toString())
            + "}";
    stub.answer(200, body).answer(200, body);

    RegisteredSchema first = client.getLatest("orders");
    client.getLatest("orders");

    assertThat(first).isEqualTo(new RegisteredSchema("orders", 5, 2, ORDER));
    assertThat(stub.received()).hasSize(2);
  }

  @Test
  void shouldReadSubjectConfigWithDefaultToGlobal() {
    stub.answer(200, "{\"compatibilityLevel\":\"FULL\"}")
        .answer(200, "{\"compatibility\":\"NONE\"}");

    String level = client.getCompatibility("orders");
    client.setCompatibility(null, "NONE");

    assertThat(level).isEqualTo("FULL");
    List<StubRegistryServer.Received> requests = stub.received();
    assertThat(requests.get(0).rawPath()).isEqualTo("/config/orders");
    assertThat(requests.get(0).rawQuery()).isEqualTo("defaultToGlobal=true");
    assertThat(requests.get(1).method()).isEqualTo("PUT");
    assertThat(requests.get(1).rawPath()).isEqualTo("/config");
    assertThat(requests.get(1).body()).isEqualTo("{\"compatibility\":\"NONE\"}");
  }

  @Test
  void shouldRefuseCallsAfterClose() {
    client.close();

    assertThatThrownBy(() -> client.subjects())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void shouldDefaultSettingsAndStripTrailingSlash() {
    RegistryClientSettings settings = RegistryClientSettings.of("http://registry:8081/");

    assertThat(settings)
        .isEqualTo(
            new RegistryClientSettings(
                URI.create("http://registry:8081"),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                4,
                Duration.ofMillis(100)));
  }

  @Test
  void shouldRejectInvalidSettingsNamingTheValue() {
    assertThatThrownBy(() -> RegistryClientSettings.of("registry:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseUrl 'registry:8081' must be an absolute http or https URL with a host");
    assertThatThrownBy(
            () -> RegistryClientSettings.of("http://registry:8081").withRetries(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts is 0, must be at least 1");
    assertThatThrownBy(
            () ->
                RegistryClientSettings.of("http://registry:8081").withRequestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestTimeout is PT0S, must be positive");
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void shouldTellLoopbackHostsFromOthersWithoutALookup() {
    for (String host : List.of("localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]")) {
      assertThat(SchemaRegistryClient.isLoopback(host)).as(host).isTrue();
    }
    for (String host : List.of("registry", "10.0.0.1", "128.0.0.1", "localhost.example.com")) {
      assertThat(SchemaRegistryClient.isLoopback(host)).as(host).isFalse();
    }
    assertThat(SchemaRegistryClient.isLoopback(null)).isFalse();
  }
}
