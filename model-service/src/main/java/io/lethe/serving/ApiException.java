package io.lethe.serving;

/** A request the API answers with a 4xx status and a JSON body {@code {"error": message}}. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  /** The body is not of the one media type the endpoint reads. */
  static ApiException unsupportedMediaType(String message) {
    return new ApiException(415, message);
  }

  /** The request is valid but the served version cannot answer it (e.g. it has no classes). */
  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }
}
