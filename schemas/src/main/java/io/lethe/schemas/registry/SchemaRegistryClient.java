package io.lethe.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe client for the Confluent Schema Registry REST API (Avro schemas only).
 *
 * <p>Schemas by id are cached forever because a registry never changes what an id means; the id of
 * a (subject, schema) pair is cached after {@link #register} or {@link #lookup}. Everything else,
 * notably {@link #getLatest}, always asks the server. Calls are retried with exponential backoff on
 * HTTP 5xx, timeouts and I/O errors, never on 4xx. Every failure is a {@link RegistryException}.
 */
public final class SchemaRegistryClient implements AutoCloseable {

  /** The media type of the Confluent Schema Registry API, version 1. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);

  /** Error bodies longer than this are cut in exception messages. */
  private static final int MAX_BODY_IN_MESSAGE = 300;

  private final RegistryClientSettings settings;
  private final ExecutorService httpThreads;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final ConcurrentMap<SubjectSchema, Integer> idsBySubjectSchema =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<SubjectSchema, RegisteredSchema> lookups = new ConcurrentHashMap<>();

  private volatile boolean closed;

  /** A cache key: a subject and a schema's full JSON text. */
  private record SubjectSchema(String subject, String schemaJson) {}

  /** A successful answer, kept with its request so that a malformed body can be reported. */
  private record Reply(String method, URI uri, int status, JsonNode body) {}

  public SchemaRegistryClient(RegistryClientSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    // Our own executor so that close() really releases the client's threads (Java 17's
    // HttpClient has no close method).
    AtomicInteger threadNumber = new AtomicInteger();
    this.httpThreads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread =
                  new Thread(task, "schema-registry-client-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    if (settings.authenticates()
        && "http".equalsIgnoreCase(settings.baseUrl().getScheme())
        && !isLoopback(settings.baseUrl().getHost())) {
      LOG.warn(
          "The schema registry at {} is plain http: its credentials travel unencrypted",
          settings.baseUrl());
    }
    HttpClient.Builder builder = HttpClient.newBuilder();
    if (settings.sslContext() != null) {
      builder.sslContext(settings.sslContext());
    }
    this.http =
        builder
            .connectTimeout(settings.connectTimeout())
            .executor(httpThreads)
            .followRedirects(HttpClient.Redirect.NEVER)
            // Registries speak HTTP/1.1; skipping the h2c upgrade avoids proxies that mishandle it.
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * A client for {@code url}, or the properties' {@code schema.registry.url} if it is null, with
   * the credentials and TLS settings of Confluent's property names ({@link
   * RegistryClientSettings#fromProperties}).
   */
  public static SchemaRegistryClient create(String url, java.util.Map<String, String> properties) {
    return new SchemaRegistryClient(RegistryClientSettings.fromProperties(url, properties));
  }

  /**
   * Whether {@code host} names this machine's loopback interface, where credentials do not cross a
   * network (the embedded stack's registry); decided from the text, without a DNS lookup.
   */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  /** A client for {@code url} with {@link RegistryClientSettings#of default settings}. */
  public static SchemaRegistryClient create(String url) {
    return new SchemaRegistryClient(RegistryClientSettings.of(url));
  }

  public RegistryClientSettings settings() {
    return settings;
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it if already there) and returns its
   * global id.
   *
   * @throws RegistryException with HTTP 409 if the schema is incompatible with the subject's
   *     compatibility level, 422 / 42201 if the registry rejects the schema
   */
  public int register(String subject, Schema schema) {
    SubjectSchema key = key(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    Reply reply = call("POST", subjectPath(subject) + "/versions", schemaBody(schema));
    int id = intField(reply, reply.body(), "id");
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /** The schema with global id {@code id}; cached forever after the first call. */
  public Schema getSchemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    Reply reply = call("GET", "/schemas/ids/" + id, null);
    String schemaType = optionalText(reply.body(), "schemaType");
    if (schemaType != null && !"AVRO".equals(schemaType)) {
      throw malformed(
          reply, "schema " + id + " is " + schemaType + ", this client reads only AVRO");
    }
    Schema schema = parseSchema(reply, textField(reply, reply.body(), "schema"));
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced != null ? raced : schema;
  }

  /**
   * Where {@code schema} is registered under {@code subject}.
   *
   * @throws RegistryException with error code 40401 if the subject does not exist, 40403 if the
   *     schema is not registered under it
   */
  public RegisteredSchema lookup(String subject, Schema schema) {
    SubjectSchema key = key(subject, schema);
    RegisteredSchema cached = lookups.get(key);
    if (cached != null) {
      return cached;
    }
    Reply reply = call("POST", subjectPath(subject), schemaBody(schema));
    RegisteredSchema found = registeredSchema(reply, reply.body());
    lookups.put(key, found);
    idsBySubjectSchema.put(key, found.id());
    schemasById.putIfAbsent(found.id(), found.schema());
    return found;
  }

  /** The subject's newest live version; never cached, so it sees new registrations at once. */
  public RegisteredSchema getLatest(String subject) {
    Reply reply = call("GET", subjectPath(subject) + "/versions/latest", null);
    return remember(registeredSchema(reply, reply.body()));
  }

  /** Version {@code version} (1-based) of {@code subject}. */
  public RegisteredSchema getVersion(String subject, int version) {
    Reply reply = call("GET", subjectPath(subject) + "/versions/" + version, null);
    return remember(registeredSchema(reply, reply.body()));
  }

  /** All subjects that have at least one live version. */
  public List<String> subjects() {
    Reply reply = call("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    for (JsonNode element : arrayBody(reply)) {
      if (!element.isTextual()) {
        throw malformed(reply, "expected an array of subject names");
      }
      subjects.add(element.textValue());
    }
    return List.copyOf(subjects);
  }

  /** The live version numbers of {@code subject}, oldest first. */
  public List<Integer> versions(String subject) {
    Reply reply = call("GET", subjectPath(subject) + "/versions", null);
    List<Integer> versions = new ArrayList<>();
    for (JsonNode element : arrayBody(reply)) {
      if (!element.canConvertToInt() || !element.isIntegralNumber()) {
        throw malformed(reply, "expected an array of version numbers");
      }
      versions.add(element.intValue());
    }
    return List.copyOf(versions);
  }

  /**
   * Whether {@code schema} could be registered next under {@code subject}, by the subject's
   * compatibility level; a subject with no versions yet accepts any valid schema.
   */
  public boolean testCompatibility(String subject, Schema schema) {
    Reply reply =
        call(
            "POST",
            "/compatibility" + subjectPath(subject) + "/versions/latest",
            schemaBody(schema));
    JsonNode value = reply.body().get("is_compatible");
    if (value == null || !value.isBoolean()) {
      throw malformed(reply, "expected a boolean field 'is_compatible'");
    }
    return value.booleanValue();
  }

  /**
   * The compatibility level in force: the global one for a {@code null} subject, otherwise the
   * subject's own level or, if it has none, the global one.
   */
  public String getCompatibility(String subjectOrNull) {
    Reply reply =
        subjectOrNull == null
            ? call("GET", "/config", null)
            : call("GET", configPath(subjectOrNull) + "?defaultToGlobal=true", null);
    // Confluent answers GET with "compatibilityLevel"; some compatible servers use "compatibility".
    String level = optionalText(reply.body(), "compatibilityLevel");
    return level != null ? level : textField(reply, reply.body(), "compatibility");
  }

  /** Sets the global compatibility level ({@code subjectOrNull == null}) or a subject's own. */
  public void setCompatibility(String subjectOrNull, String level) {
    Objects.requireNonNull(level, "level");
    ObjectNode body = json.createObjectNode().put("compatibility", level);
    call("PUT", subjectOrNull == null ? "/config" : configPath(subjectOrNull), body);
  }

  /** Releases the client's HTTP threads; calls made afterwards fail with IllegalStateException. */
  @Override
  public void close() {
    closed = true;
    httpThreads.shutdownNow();
  }

  private RegisteredSchema remember(RegisteredSchema found) {
    schemasById.putIfAbsent(found.id(), found.schema());
    return found;
  }

  private SubjectSchema key(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    return new SubjectSchema(subject, schema.toString());
  }

  private ObjectNode schemaBody(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    return json.createObjectNode().put("schema", schema.toString());
  }

  private static String subjectPath(String subject) {
    return "/subjects/" + encode(requireSubject(subject));
  }

  private static String configPath(String subject) {
    return "/config/" + encode(requireSubject(subject));
  }

  private static String requireSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty()) {
      throw new IllegalArgumentException("subject must not be empty");
    }
    return subject;
  }

  /** Encodes one path segment; URLEncoder encodes for forms, where a space is '+'. */
  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Reply call(String method, String pathAndQuery, JsonNode body) {
    if (closed) {
      throw new IllegalStateException(
          "schema registry client for " + settings.baseUrl() + " is closed");
    }
    URI uri = URI.create(settings.baseUrl() + pathAndQuery);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(settings.requestTimeout())
            .header("Accept", CONTENT_TYPE);
    if (settings.authorization() != null) {
      builder.header("Authorization", settings.authorization());
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", CONTENT_TYPE)
          .method(
              method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    HttpRequest request = builder.build();

    // Every call may be repeated safely: registering an already registered schema returns its id.
    Duration backoff = settings.initialBackoff();
    for (int attempt = 1; ; attempt++) {
      boolean lastAttempt = attempt >= settings.maxAttempts();
      try {
        HttpResponse<String> response =
            http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return new Reply(
              method, uri, status, parseSuccessBody(method, uri, status, response.body()));
        }
        boolean retriable = status >= 500;
        if (!retriable || lastAttempt) {
          throw httpFailure(method, uri, status, response.body(), attempt);
        }
        LOG.debug("{} {} answered HTTP {} on attempt {}, retrying", method, uri, status, attempt);
      } catch (IOException e) {
        if (lastAttempt) {
          throw transportFailure(method, uri, attempt, e);
        }
        LOG.debug("{} {} failed on attempt {} ({}), retrying", method, uri, attempt, describe(e));
      } catch (InterruptedException e) {
        throw interrupted(method, uri, e);
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        throw interrupted(method, uri, e);
      }
      backoff = backoff.multipliedBy(2);
    }
  }

  private RegistryException transportFailure(String method, URI uri, int attempts, IOException e) {
    String tries = attempts == 1 ? "1 attempt" : attempts + " attempts";
    return new RegistryException(
        method + " " + uri + " failed: " + describe(e) + " (after " + tries + ")",
        RegistryException.NO_HTTP_STATUS,
        RegistryException.NO_ERROR_CODE,
        e);
  }

  private static RegistryException interrupted(String method, URI uri, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new RegistryException(
        method + " " + uri + " failed: interrupted",
        RegistryException.NO_HTTP_STATUS,
        RegistryException.NO_ERROR_CODE,
        e);
  }

  private String describe(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "could not connect within " + settings.connectTimeout();
    }
    if (e instanceof HttpTimeoutException) {
      return "timed out waiting " + settings.requestTimeout() + " for an answer";
    }
    if (e instanceof ConnectException) {
      return "could not connect (" + e.getClass().getSimpleName() + ")";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private RegistryException httpFailure(
      String method, URI uri, int status, String body, int attempts) {
    int errorCode = RegistryException.NO_ERROR_CODE;
    String serverMessage = null;
    try {
      JsonNode node = body == null || body.isBlank() ? null : json.readTree(body);
      if (node != null && node.isObject()) {
        JsonNode code = node.get("error_code");
        if (code != null && code.isIntegralNumber() && code.canConvertToInt()) {
          errorCode = code.intValue();
        }
        serverMessage = optionalText(node, "message");
      }
    } catch (JsonProcessingException notJson) {
      // An HTML error page from a proxy, say: the raw body is reported below.
    }
    if (serverMessage == null) {
      serverMessage = body == null || body.isBlank() ? "(empty body)" : shorten(body.strip());
    }
    StringBuilder message =
        new StringBuilder().append(method).append(' ').append(uri).append(" failed: HTTP ");
    message.append(status);
    if (errorCode != RegistryException.NO_ERROR_CODE) {
      message.append(", error_code ").append(errorCode);
    }
    message.append(": ").append(serverMessage);
    if (attempts > 1) {
      message.append(" (after ").append(attempts).append(" attempts)");
    }
    return new RegistryException(message.toString(), status, errorCode, null);
  }

  private JsonNode parseSuccessBody(String method, URI uri, int status, String body) {
    try {
      JsonNode node = body == null || body.isBlank() ? null : json.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new RegistryException(
            method + " " + uri + " failed: HTTP " + status + " with an empty body",
            status,
            RegistryException.NO_ERROR_CODE,
            null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new RegistryException(
          method
              + " "
              + uri
              + " failed: HTTP "
              + status
              + " with a body that is not JSON: "
              + shorten(body),
          status,
          RegistryException.NO_ERROR_CODE,
          e);
    }
  }

  private RegisteredSchema registeredSchema(Reply reply, JsonNode node) {
    String subject = textField(reply, node, "subject");
    int id = intField(reply, node, "id");
    int version = intField(reply, node, "version");
    Schema schema = parseSchema(reply, textField(reply, node, "schema"));
    return new RegisteredSchema(subject, id, version, schema);
  }

  private static Iterable<JsonNode> arrayBody(Reply reply) {
    if (!reply.body().isArray()) {
      throw malformed(reply, "expected a JSON array");
    }
    return reply.body();
  }

  private static Schema parseSchema(Reply reply, String text) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw malformed(reply, "its schema is not valid Avro: " + e.getMessage());
    }
  }

  private static int intField(Reply reply, JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
      throw malformed(reply, "expected an integer field '" + field + "'");
    }
    return value.intValue();
  }

  private static String textField(Reply reply, JsonNode node, String field) {
    String value = optionalText(node, field);
    if (value == null) {
      throw malformed(reply, "expected a string field '" + field + "'");
    }
    return value;
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static RegistryException malformed(Reply reply, String problem) {
    return new RegistryException(
        reply.method()
            + " "
            + reply.uri()
            + " failed: HTTP "
            + reply.status()
            + " but the body is not what the Confluent API documents: "
            + problem
            + "; body: "
            + shorten(String.valueOf(reply.body())),
        reply.status(),
        RegistryException.NO_ERROR_CODE,
        null);
  }

  private static String shorten(String text) {
    return text.length() <= MAX_BODY_IN_MESSAGE
        ? text
        : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
  }
}
