package io.lethe.serving;

/** A request the API answers with a 4xx status and a JSON body {@code {"error": message}}. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String allow;

  ApiException(int status, String message) {
    this(status, message, null);
  }

  private ApiException(int status, String message, String allow) {
    super(message);
    this.status = status;
    this.allow = allow;
  }

  int status() {
    return status;
  }

  /** The {@code Allow} header to send, or null. */
  String allow() {
    return allow;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  /** No valid credential; the caller sets {@code WWW-Authenticate}. */
  static ApiException unauthorized(String message) {
    return new ApiException(401, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  /** {@code method} on a path of {@code route}, which answers another method. */
  static ApiException methodNotAllowed(String method, ApiRoute route) {
    String message = method + " is not allowed on " + route.template + "; use " + route.method;
    if (route == ApiRoute.MODEL && method.equals("POST")) {
      message += " (predictions are POST " + ApiRoute.PREDICT.template + ")";
    } else if (route == ApiRoute.V2_MODEL && method.equals("POST")) {
      message += " (inference is POST " + ApiRoute.V2_INFER.template + ")";
    }
    return new ApiException(405, message, route.allow());
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
