package io.lethe.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * The parts of Flink's REST API that Lethe's cluster tooling uses: upload and run a job jar, read a
 * job's state and its operators' metrics, cancel a job or stop it with a savepoint. Plain HTTP
 * (over TLS with a client certificate where the endpoint asks for one), so it works against any
 * Flink 2.x cluster whatever Flink version the client has.
 */
public final class FlinkRestClient {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final java.util.Set<String> TERMINAL =
      java.util.Set.of("CANCELED", "FINISHED", "FAILED");

  private final String baseUrl;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUrl the JobManager's REST address, e.g. {@code http://localhost:8281}
   */
  public FlinkRestClient(String baseUrl) {
    this(baseUrl, null);
  }

  /**
   * A client that presents the client certificate of {@code ssl}, for an endpoint with mutual TLS.
   *
   * @param baseUrl the JobManager's REST address, e.g. {@code https://localhost:8283}
   * @param ssl a TLS context with the client certificate ({@link
   *     io.lethe.job.rest.FlinkRestTls#sslContext()}), or null for plain HTTP
   */
  public FlinkRestClient(String baseUrl, SSLContext ssl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
  }

  /** The REST address this client talks to. */
  public String baseUrl() {
    return baseUrl;
  }

  /**
   * Uploads a job jar ({@code POST /jars/upload}).
   *
   * @return the jar's id on the cluster, for {@link #runJar}
   */
  public String uploadJar(Path jar) throws IOException {
    String boundary = "lethe-" + UUID.randomUUID();
    String head =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
            + jar.getFileName()
            + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(
                HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(head),
                    HttpRequest.BodyPublishers.ofFile(jar),
                    HttpRequest.BodyPublishers.ofString(tail)))
            .build();
    JsonNode answer = send(request, "upload " + jar);
    String file = answer.path("filename").asText("");
    if (file.isEmpty()) {
      throw new IOException("Flink at " + baseUrl + " did not accept " + jar + ": " + answer);
    }
    return Path.of(file).getFileName().toString();
  }

  /**
   * Runs an uploaded jar's entry class with {@code args} ({@code POST /jars/<id>/run}); the main
   * method runs in the JobManager and submits the job.
   *
   * @param savepoint a savepoint or retained checkpoint to start from, or null
   * @return the job id
   */
  public String runJar(String jarId, String entryClass, List<String> args, String savepoint)
      throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("entryClass", entryClass);
    body.putPOJO("programArgsList", args);
    if (savepoint != null) {
      body.put("savepointPath", savepoint);
      body.put("allowNonRestoredState", false);
    }
    JsonNode answer = post("/jars/" + jarId + "/run", body, "run " + entryClass);
    String jobId = answer.path("jobid").asText("");
    if (jobId.isEmpty()) {
      throw new IOException("Flink at " + baseUrl + " started no job: " + answer);
    }
    return jobId;
  }

  /** Deletes an uploaded jar ({@code DELETE /jars/<id>}); jobs started from it keep running. */
  public void deleteJar(String jarId) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/jars/" + jarId))
            .timeout(REQUEST_TIMEOUT)
            .DELETE()
            .build();
    send(request, "delete jar " + jarId);
  }

  /** The cluster overview ({@code GET /overview}): task managers, slots, jobs by state. */
  public JsonNode overview() throws IOException {
    return get("/overview");
  }

  /** Whether the REST endpoint answers at all. */
  public boolean isUp() {
    try {
      overview();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A job's state ({@code RUNNING}, {@code FAILED}, ...), or empty if the cluster does not know it.
   */
  public Optional<String> jobState(String jobId) throws IOException {
    for (JsonNode job : get("/jobs").path("jobs")) {
      if (job.path("id").asText().equals(jobId)) {
        return Optional.of(job.path("status").asText());
      }
    }
    return Optional.empty();
  }

  /** The ids of the jobs in state {@code RUNNING}. */
  public List<String> runningJobs() throws IOException {
    List<String> running = new java.util.ArrayList<>();
    for (JsonNode job : get("/jobs").path("jobs")) {
      if (job.path("status").asText().equals("RUNNING")) {
        running.add(job.path("id").asText());
      }
    }
    return running;
  }

  /**
   * A metric of one subtask of the job's first vertex whose name contains {@code vertexName}, e.g.
   * {@code metric(job, "Learner", "0.Learner.samplesLearned")}; empty until Flink has fetched it
   * (every {@code metrics.fetcher.update-interval}).
   */
  public OptionalDouble metric(String jobId, String vertexName, String metric) throws IOException {
    String base = "/jobs/" + jobId;
    for (JsonNode vertex : get(base).path("vertices")) {
      if (vertex.path("name").asText().contains(vertexName)) {
        String path = base + "/vertices/" + vertex.path("id").asText() + "/metrics?get=" + metric;
        for (JsonNode value : get(path)) {
          if (value.path("id").asText().equals(metric)) {
            return OptionalDouble.of(Double.parseDouble(value.path("value").asText()));
          }
        }
        return OptionalDouble.empty();
      }
    }
    return OptionalDouble.empty();
  }

  /** Cancels a job ({@code PATCH /jobs/<id>?mode=cancel}); it ends soon after, not at once. */
  public void cancel(String jobId) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "?mode=cancel"))
            .timeout(REQUEST_TIMEOUT)
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build();
    send(request, "cancel " + jobId);
  }

  /**
   * Stops a job with a savepoint ({@code POST /jobs/<id>/savepoints}, {@code cancel-job: true}) and
   * waits for it.
   *
   * @param targetDirectory where the savepoint goes, or null for the cluster's default
   * @return the savepoint's path, for {@link #runJar}'s {@code savepoint}
   */
  public String cancelWithSavepoint(String jobId, String targetDirectory, Duration bound)
      throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    body.put("cancel-job", true);
    if (targetDirectory != null) {
      body.put("target-directory", targetDirectory);
    }
    String trigger =
        post("/jobs/" + jobId + "/savepoints", body, "savepoint of " + jobId)
            .path("request-id")
            .asText();
    Instant deadline = Instant.now().plus(bound);
    while (Instant.now().isBefore(deadline)) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IOException(
              "savepoint of job " + jobId + " failed: " + operation.path("failure-cause"));
        }
        String location = operation.path("location").asText();
        // The savepoint completes while the job is still CANCELLING: wait until its slots are free.
        while (Instant.now().isBefore(deadline)) {
          if (jobState(jobId).filter(TERMINAL::contains).isPresent()) {
            return location;
          }
          Thread.sleep(200);
        }
        throw new IOException(
            "job "
                + jobId
                + " took its savepoint "
                + location
                + " but did not end within "
                + bound);
      }
      Thread.sleep(200);
    }
    throw new IOException("savepoint of job " + jobId + " not done within " + bound);
  }

  private JsonNode get(String path) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT).GET().build();
    return send(request, "GET " + path);
  }

  private JsonNode post(String path, JsonNode body, String what) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
            .build();
    return send(request, what);
  }

  private JsonNode send(HttpRequest request, String what) throws IOException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("no Flink REST endpoint at " + baseUrl + " (" + what + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
    JsonNode body;
    try {
      body = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
    } catch (IOException e) {
      throw new IOException(
          what + " at " + baseUrl + " answered " + response.statusCode() + ": " + response.body());
    }
    if (response.statusCode() >= 300) {
      throw new IOException(
          what + " at " + baseUrl + " failed (" + response.statusCode() + "): " + errors(body));
    }
    return body;
  }

  /** Flink's {@code errors} array, which for a failed run holds the main method's stack trace. */
  private static String errors(JsonNode body) {
    JsonNode errors = body.path("errors");
    if (!errors.isArray() || errors.isEmpty()) {
      return body.toString();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode error : errors) {
      text.append(error.asText()).append('\n');
    }
    return text.toString().strip();
  }
}
