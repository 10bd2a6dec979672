package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded stack of {@code lethe demo} secured by default: its model service and erasure status
 * endpoint refuse callers without the generated bearer token, its registry refuses anonymous
 * callers and each component's user what its role does not allow, and the stack still works with
 * the credentials it gave its components (the job registers its schemas, the service reads the
 * job's heartbeats).
 */
class EmbeddedStackCredentialsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCRATCH =
      SchemaBuilder.record("Scratch").namespace("io.lethe.test").fields().endRecord();

  private static EmbeddedStack stack;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    stack = TinyStack.start();
    Await.until(
        "the learner job to run",
        Duration.ofSeconds(90),
        () -> stack.learnerJob().getJobStatus().get() == JobStatus.RUNNING);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldAnswerTheServiceAndStatusApisOnlyWithTheGeneratedToken() throws Exception {
    String right = "Bearer " + stack.httpToken();
    String status = "http://127.0.0.1:" + stack.ingressPort() + "/v1/erasures/r-unknown";
    List<String> apis =
        List.of(
            stack.serviceUrl() + "/v1/models",
            stack.serviceUrl() + "/v1/models/tiny-analytic",
            stack.serviceUrl() + "/v1/models/tiny-analytic:predict",
            status);
    for (String url : apis) {
      boolean predict = url.endsWith(":predict");
      for (String wrong : new String[] {null, "Bearer not-the-" + stack.httpToken()}) {
        HttpResponse<String> refused = call(url, wrong, predict);
        assertThat(refused.statusCode()).as(url).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
            .as(url)
            .hasValue("Bearer realm=\"lethe\"");
        assertThat(JSON.readTree(refused.body()).get("error").asText()).isNotBlank();
      }
      assertThat(call(url, right, predict).statusCode()).as(url).isNotEqualTo(401);
    }
    assertThat(call(status, right, false).statusCode()).isEqualTo(404);
    for (String open :
        List.of(
            stack.serviceUrl() + "/healthz",
            stack.serviceUrl() + "/readyz",
            stack.serviceUrl() + "/metrics",
            "http://127.0.0.1:" + stack.ingressPort() + "/healthz")) {
      assertThat(call(open, null, false).statusCode()).as(open).isEqualTo(200);
    }
  }

  @Test
  void shouldServeTheRegistryToEachComponentByItsRoleOnly() throws Exception {
    StackCredentials credentials = stack.credentials();
    String admin = basic(credentials, StackCredentials.ADMIN);
    String service = basic(credentials, StackCredentials.SERVICE);
    String job = basic(credentials, StackCredentials.JOB);
    String subjects = stack.registryUrl() + "/subjects";
    String scratch = subjects + "/lethe-test-scratch-value";

    assertThat(registry("GET", subjects, null, null).statusCode()).isEqualTo(401);
    assertThat(registry("GET", subjects, "Basic bGV0aGUtam9iOndyb25n", null).statusCode())
        .isEqualTo(401);
    // the job registered the schemas of what it publishes with its own user
    Await.until(
        "the job's output schemas are registered",
        Duration.ofSeconds(60),
        () -> registry("GET", subjects, service, null).body().contains("lethe.models-value"));

    String body = JSON.createObjectNode().put("schema", SCRATCH.toString()).toString();
    String wrongPassword =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (StackCredentials.JOB + ":not-its-password").getBytes(StandardCharsets.UTF_8));
    assertThat(registry("POST", scratch + "/versions", null, body).statusCode()).isEqualTo(401);
    assertThat(registry("POST", scratch + "/versions", wrongPassword, body).statusCode())
        .isEqualTo(401);
    assertThat(registry("POST", scratch + "/versions", service, body).statusCode()).isEqualTo(403);
    assertThat(registry("POST", scratch + "/versions", job, body).statusCode()).isEqualTo(200);
    String config = "{\"compatibility\":\"NONE\"}";
    String scratchConfig = stack.registryUrl() + "/config/lethe-test-scratch-value";
    assertThat(registry("PUT", scratchConfig, null, config).statusCode()).isEqualTo(401);
    assertThat(registry("PUT", scratchConfig, service, config).statusCode()).isEqualTo(403);
    assertThat(registry("PUT", scratchConfig, job, config).statusCode()).isEqualTo(200);
    assertThat(registry("DELETE", scratch, job, null).statusCode()).isEqualTo(403);
    assertThat(registry("DELETE", scratch, null, null).statusCode()).isEqualTo(401);
    assertThat(registry("DELETE", scratch, admin, null).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldLearnAndServeWithTheCredentialsItGaveItsComponents() throws Exception {
    // samples written with the stack's own user go through the ingress (its user), are decoded
    // and learned by the job (its user, which also registers the snapshot's schema), and the
    // service decodes the snapshot with its own user
    // the producer principal's one file configures its Kafka client and its registry client
    KafkaClientConfig producerConfig = stack.clientConfig(Principal.PRODUCER);
    assertThat(producerConfig.registryProperties())
        .containsKey("basic.auth.user.info")
        .containsEntry("basic.auth.credentials.source", "USER_INFO");
    Properties props =
        producerConfig.layerAsProperties(
            stack.bootstrapServers(),
            "credentials-test",
            Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    try (SchemaRegistryClient registry =
            SchemaRegistryClient.create(stack.registryUrl(), producerConfig.registryProperties());
        KafkaProducer<String, TrainingSample> producer =
            new KafkaProducer<>(
                props,
                new StringSerializer(),
                new SpecificAvroSerializer<TrainingSample>(registry, true, false))) {
      for (int i = 0; i < 10; i++) {
        TrainingSample sample =
            TrainingSample.newBuilder()
                .setSampleId("s-" + i)
                .setSubjectId("u-" + i % 3)
                .setDataset("tiny")
                .setTask("0")
                .setFeatures(List.of(i / 10f, 0.5f, 1 - i / 10f, 0.25f))
                .setLabel(i % 2)
                .setEventTime(Instant.now())
                .setAttributes(null)
                .build();
        producer.send(
            new ProducerRecord<>(
                stack.topics().samplesRaw().name(), sample.getSubjectId(), sample));
      }
    }
    String describe = stack.serviceUrl() + "/v1/models/tiny-analytic";
    String authorization = "Bearer " + stack.httpToken();
    Await.until(
        "the service serves tiny-analytic",
        Duration.ofSeconds(90),
        () -> call(describe, authorization, false).statusCode() == 200);
    assertThat(JSON.readTree(call(describe, authorization, false).body()).get("version").asLong())
        .isPositive();
  }

  @Test
  void shouldKeepEveryGeneratedSecretReadableByItsOwnerOnly() throws Exception {
    Path security = stack.httpTokenFile().getParent();
    assertThat(Files.readString(stack.httpTokenFile())).contains(stack.httpToken());
    try (Stream<Path> files = Files.list(security)) {
      List<Path> all = files.filter(Files::isRegularFile).toList();
      assertThat(all)
          .extracting(p -> p.getFileName().toString())
          .contains(
              StackCredentials.TOKEN_FILE,
              StackCredentials.USERS_FILE,
              "registry-lethe-job.properties",
              "registry-lethe-model-service.properties");
      for (Path file : all) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .as(file.toString())
            .isEqualTo("rw-------");
      }
    }
  }

  private static String basic(StackCredentials credentials, String user) {
    String userInfo = credentials.registryProperties(user).get("basic.auth.user.info");
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> call(String url, String authorization, boolean post)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (post) {
      request.header("Content-Type", "application/json");
      request.POST(
          HttpRequest.BodyPublishers.ofString("{\"instances\":[{\"features\":[0,0,0,0]}]}"));
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> registry(
      String method, String url, String authorization, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
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
