package io.lethe.local.registry;

import java.util.List;

/** A failed registry request with its HTTP status and Confluent {@code error_code}. */
final class RegistryError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  final int httpStatus;
  final int errorCode;

  private RegistryError(int httpStatus, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  static RegistryError subjectNotFound(String subject) {
    return new RegistryError(404, 40401, "Subject '" + subject + "' not found.", null);
  }

  static RegistryError versionNotFound(String version) {
    return new RegistryError(404, 40402, "Version " + version + " not found.", null);
  }

  static RegistryError schemaNotFound(int id) {
    return new RegistryError(404, 40403, "Schema " + id + " not found", null);
  }

  static RegistryError schemaNotFound() {
    return new RegistryError(404, 40403, "Schema not found", null);
  }

  static RegistryError subjectLevelConfigNotFound(String subject) {
    return new RegistryError(
        404,
        40408,
        "Subject '" + subject + "' does not have subject-level compatibility configured",
        null);
  }

  static RegistryError invalidSchema(String detail) {
    return new RegistryError(422, 42201, "Invalid schema: " + detail, null);
  }

  static RegistryError invalidVersion(String version) {
    return new RegistryError(
        422,
        42202,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string"
            + " \"latest\"",
        null);
  }

  static RegistryError invalidCompatibilityLevel(String given) {
    return new RegistryError(
        422,
        42203,
        "Invalid compatibility level '"
            + given
            + "'. Valid values are none, backward, forward, full, backward_transitive,"
            + " forward_transitive, and full_transitive",
        null);
  }

  static RegistryError incompatible(String subject, List<String> problems) {
    return new RegistryError(
        409,
        409,
        "Schema being registered is incompatible with an earlier schema for subject \""
            + subject
            + "\", details: "
            + problems,
        null);
  }

  static RegistryError storeError(String detail, Throwable cause) {
    return new RegistryError(500, 50001, "Error in the backend data store: " + detail, cause);
  }

  static RegistryError internal(RuntimeException cause) {
    return new RegistryError(500, 500, "Internal server error: " + cause, cause);
  }

  static RegistryError badRequest(String detail) {
    return new RegistryError(400, 400, detail, null);
  }

  static RegistryError notFound() {
    return new RegistryError(404, 404, "HTTP 404 Not Found", null);
  }

  static RegistryError methodNotAllowed() {
    return new RegistryError(405, 405, "HTTP 405 Method Not Allowed", null);
  }

  static RegistryError hardDeleteUnsupported() {
    return new RegistryError(
        501,
        501,
        "Permanent deletes are not supported by the embedded registry: after compaction a restart"
            + " could reuse the deleted schema's id",
        null);
  }

  /** No valid credentials; Confluent's code for an unauthenticated request. */
  static RegistryError unauthenticated() {
    return new RegistryError(
        401,
        40101,
        "Unauthorized: this registry requires HTTP basic credentials of one of its users",
        null);
  }

  /** An authenticated user without the role {@code action} needs. */
  static RegistryError forbidden(String user, String action, String role) {
    return new RegistryError(
        403,
        40301,
        "User '" + user + "' may not " + action + ": that needs the role " + role,
        null);
  }

  static RegistryError unavailable() {
    return new RegistryError(503, 503, "The schema registry is shutting down", null);
  }
}
