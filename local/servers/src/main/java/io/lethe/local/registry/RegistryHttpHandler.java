package io.lethe.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Confluent Schema Registry REST API over {@link RegistryService}: routing, JSON bodies,
 * content type and error bodies {@code {"error_code": N, "message": "..."}}. With {@link
 * RegistryUsers}, a request without a user's credentials gets 401 (40101) with a {@code
 * WWW-Authenticate: Basic} challenge, and one whose user lacks the role 403 (40301).
 */
final class RegistryHttpHandler implements HttpHandler {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);

  /** A reply: a JSON tree, or for raw schema requests the schema text itself. */
  private record Reply(int status, String body) {}

  /** A request, decoded: method, path segments and query parameters. */
  private record Request(
      String method, List<String> path, Map<String, String> query, HttpExchange exchange) {

    boolean flag(String name) {
      return Boolean.parseBoolean(query.getOrDefault(name, "false"));
    }
  }

  private final RegistryService service;
  private final InFlightRequests inFlight;
  private final RegistryUsers users;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param users the users who may call, by role, or null for an open registry
   */
  RegistryHttpHandler(RegistryService service, InFlightRequests inFlight, RegistryUsers users) {
    this.service = service;
    this.inFlight = inFlight;
    this.users = users;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      Reply reply;
      if (!inFlight.tryEnter()) {
        reply = error(RegistryError.unavailable());
      } else {
        try {
          Request request = decode(exchange);
          authorize(request);
          reply = route(request);
        } catch (RegistryError e) {
          reply = error(e);
        } catch (RuntimeException e) {
          LOG.error(
              "Schema registry failed on {} {}",
              exchange.getRequestMethod(),
              exchange.getRequestURI(),
              e);
          reply = error(RegistryError.internal(e));
        } finally {
          inFlight.exit();
        }
      }
      send(exchange, reply);
    } finally {
      exchange.close();
    }
  }

  /**
   * Refuses a request whose caller is not a user (401) or lacks the role it needs (403), unless the
   * registry is open. Reading, looking a schema up and testing compatibility need any role;
   * registering a schema and setting compatibility need {@code write}; deleting needs {@code
   * admin}.
   */
  private void authorize(Request request) {
    if (users == null) {
      return;
    }
    String authorization = request.exchange().getRequestHeaders().getFirst("Authorization");
    RegistryUsers.Principal principal =
        users.authenticate(authorization).orElseThrow(RegistryError::unauthenticated);
    RegistryUsers.Role needed = neededRole(request);
    if (!principal.may(needed)) {
      String action =
          switch (needed) {
            case READ -> "read this registry";
            case WRITE -> "register schemas or change compatibility";
            case ADMIN -> "delete subjects or versions";
          };
      throw RegistryError.forbidden(principal.name(), action, needed.fileName());
    }
  }

  private static RegistryUsers.Role neededRole(Request request) {
    List<String> path = request.path();
    switch (request.method()) {
      case "GET", "HEAD":
        return RegistryUsers.Role.READ;
      case "DELETE":
        return RegistryUsers.Role.ADMIN;
      case "POST":
        boolean lookup = path.size() == 2 && path.get(0).equals("subjects");
        boolean test = !path.isEmpty() && path.get(0).equals("compatibility");
        // neither changes anything: Confluent's registry lets readers do both too
        return lookup || test ? RegistryUsers.Role.READ : RegistryUsers.Role.WRITE;
      default:
        return RegistryUsers.Role.WRITE;
    }
  }

  private Reply route(Request request) {
    List<String> path = request.path();
    String method = request.method();
    if (path.isEmpty()) {
      return only(method, "GET", () -> ok(json.createObjectNode()));
    }
    switch (path.get(0)) {
      case "schemas":
        if (path.size() >= 3 && path.get(1).equals("ids")) {
          int id = schemaId(path.get(2));
          if (path.size() == 3) {
            return only(
                method,
                "GET",
                () -> ok(json.createObjectNode().put("schema", service.schemaById(id))));
          }
          if (path.size() == 4 && path.get(3).equals("versions")) {
            return only(method, "GET", () -> ok(subjectVersions(service.usesOf(id))));
          }
        }
        break;
      case "subjects":
        return routeSubjects(request);
      case "compatibility":
        if (path.size() >= 4 && path.get(1).equals("subjects") && path.get(3).equals("versions")) {
          String subject = path.get(2);
          if (path.size() == 4) {
            return only(method, "POST", () -> compatibility(request, subject, Optional.empty()));
          }
          if (path.size() == 5) {
            return only(
                method,
                "POST",
                () ->
                    compatibility(
                        request, subject, Optional.of(RegistryService.versionRef(path.get(4)))));
          }
        }
        break;
      case "config":
        if (path.size() <= 2) {
          String subject = path.size() == 2 ? path.get(1) : null;
          if (method.equals("GET")) {
            CompatibilityLevel level =
                subject == null
                    ? service.globalLevel()
                    : service.subjectLevel(subject, request.flag("defaultToGlobal"));
            return ok(json.createObjectNode().put("compatibilityLevel", level.name()));
          }
          if (method.equals("PUT")) {
            JsonNode body = body(request);
            JsonNode given = body.get("compatibility");
            String name = given != null && given.isTextual() ? given.textValue() : null;
            CompatibilityLevel level = service.setLevel(subject, name);
            return ok(json.createObjectNode().put("compatibility", level.name()));
          }
          throw RegistryError.methodNotAllowed();
        }
        break;
      default:
        break;
    }
    throw RegistryError.notFound();
  }

  private Reply routeSubjects(Request request) {
    List<String> path = request.path();
    String method = request.method();
    boolean deleted = request.flag("deleted");
    if (path.size() == 1) {
      return only(method, "GET", () -> ok(stringArray(service.subjects(deleted))));
    }
    String subject = path.get(1);
    if (path.size() == 2) {
      if (method.equals("POST")) {
        return ok(entryJson(service.lookup(subject, schemaRequest(request))));
      }
      if (method.equals("DELETE")) {
        refuseHardDelete(request);
        return ok(intArray(service.deleteSubject(subject)));
      }
      throw RegistryError.methodNotAllowed();
    }
    if (!path.get(2).equals("versions")) {
      throw RegistryError.notFound();
    }
    if (path.size() == 3) {
      if (method.equals("GET")) {
        return ok(intArray(service.versions(subject, deleted)));
      }
      if (method.equals("POST")) {
        int id = service.register(subject, schemaRequest(request));
        return ok(json.createObjectNode().put("id", id));
      }
      throw RegistryError.methodNotAllowed();
    }
    RegistryService.VersionRef version = RegistryService.versionRef(path.get(3));
    if (path.size() == 4) {
      if (method.equals("GET")) {
        return ok(entryJson(service.version(subject, version)));
      }
      if (method.equals("DELETE")) {
        refuseHardDelete(request);
        return ok(json.getNodeFactory().numberNode(service.deleteVersion(subject, version)));
      }
      throw RegistryError.methodNotAllowed();
    }
    if (path.size() == 5 && path.get(4).equals("schema")) {
      return only(method, "GET", () -> new Reply(200, service.version(subject, version).schema()));
    }
    throw RegistryError.notFound();
  }

  private Reply compatibility(
      Request request, String subject, Optional<RegistryService.VersionRef> version) {
    List<String> problems = service.compatibilityProblems(subject, version, schemaRequest(request));
    ObjectNode result = json.createObjectNode().put("is_compatible", problems.isEmpty());
    if (request.flag("verbose")) {
      result.set("messages", stringArray(problems));
    }
    return ok(result);
  }

  private static Reply only(String method, String allowed, Supplier<Reply> then) {
    if (!method.equals(allowed)) {
      throw RegistryError.methodNotAllowed();
    }
    return then.get();
  }

  private static void refuseHardDelete(Request request) {
    if (request.flag("permanent")) {
      throw RegistryError.hardDeleteUnsupported();
    }
  }

  private static int schemaId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw RegistryError.notFound();
    }
  }

  private RegistryService.SchemaRequest schemaRequest(Request request) {
    JsonNode body = body(request);
    JsonNode schema = body.get("schema");
    JsonNode schemaType = body.get("schemaType");
    JsonNode references = body.get("references");
    return new RegistryService.SchemaRequest(
        schema != null && schema.isTextual() ? schema.textValue() : null,
        schemaType != null && schemaType.isTextual() ? schemaType.textValue() : null,
        references != null && references.isArray() && !references.isEmpty());
  }

  private JsonNode body(Request request) {
    try (InputStream in = request.exchange().getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      JsonNode node = bytes.length == 0 ? null : json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw RegistryError.badRequest("The request body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw RegistryError.badRequest("The request body is not valid JSON: " + e.getMessage());
    }
  }

  private ObjectNode entryJson(SchemaEntry entry) {
    return json.createObjectNode()
        .put("subject", entry.subject())
        .put("version", entry.version())
        .put("id", entry.id())
        .put("schema", entry.schema());
  }

  private ArrayNode subjectVersions(List<SchemaEntry> entries) {
    ArrayNode array = json.createArrayNode();
    for (SchemaEntry entry : entries) {
      array.addObject().put("subject", entry.subject()).put("version", entry.version());
    }
    return array;
  }

  private ArrayNode stringArray(List<String> values) {
    ArrayNode array = json.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private ArrayNode intArray(List<Integer> values) {
    ArrayNode array = json.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private static Reply ok(JsonNode body) {
    return new Reply(200, body.toString());
  }

  private Reply error(RegistryError e) {
    ObjectNode body =
        json.createObjectNode().put("error_code", e.errorCode).put("message", e.getMessage());
    return new Reply(e.httpStatus, body.toString());
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    if (reply.status() == 401) {
      exchange.getResponseHeaders().set("WWW-Authenticate", RegistryUsers.CHALLENGE);
    }
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Request decode(HttpExchange exchange) {
    String rawPath = exchange.getRequestURI().getRawPath();
    List<String> path = new ArrayList<>();
    for (String segment : rawPath.split("/")) {
      if (!segment.isEmpty()) {
        path.add(percentDecode(segment));
      }
    }
    Map<String, String> query = new HashMap<>();
    String rawQuery = exchange.getRequestURI().getRawQuery();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        query.put(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return new Request(exchange.getRequestMethod(), path, query, exchange);
  }

  /** Decodes %XX escapes in a path segment; unlike form decoding, '+' stays a plus. */
  private static String percentDecode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw RegistryError.badRequest("Malformed escape in path segment '" + segment + "'");
    }
  }
}
