package io.lethe.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty refuses before Javalin sees them (a malformed or ambiguous path, a bad
 * header, a request line or headers too large) the way the API answers its own refusals: JSON in
 * the service's words, counted under route {@value ApiRoute#UNMATCHED}. Jetty's default is an HTML
 * page with its own reason.
 */
final class ProtocolErrorHandler extends ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceMetrics metrics;

  ProtocolErrorHandler(ServiceMetrics metrics) {
    this.metrics = metrics;
  }

  /** Errors of a request that was parsed, e.g. an ambiguous or badly escaped path. */
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code)), callback);
  }

  /** Errors of a request that could not be parsed, e.g. headers too large. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status));
  }

  private byte[] body(int status) {
    metrics.responses.labelValues(ApiRoute.UNMATCHED, String.valueOf(status)).inc();
    try {
      return JSON.writeValueAsBytes(Map.of("error", message(status)));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String message(int status) {
    return switch (status) {
      case 400 -> "the request is not valid HTTP: check the path's %-escapes and the headers";
      case 414 -> "the request line is too long";
      case 431 -> "the request headers are too large";
      default -> "the request could not be handled (HTTP " + status + ")";
    };
  }
}
