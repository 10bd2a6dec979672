package io.lethe.schemas.registry;

/**
 * A schema registry call that failed, with the HTTP status and the Confluent {@code error_code}.
 *
 * <p>{@link #httpStatus()} is 0 when no HTTP answer arrived (connection refused, timeout,
 * interrupted); {@link #errorCode()} is -1 when the answer had no Confluent error body.
 */
public final class RegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The {@link #httpStatus()} of a failure that never got an HTTP answer. */
  public static final int NO_HTTP_STATUS = 0;

  /** The {@link #errorCode()} when the server sent no Confluent {@code error_code}. */
  public static final int NO_ERROR_CODE = -1;

  private final int httpStatus;
  private final int errorCode;

  public RegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status of the failed answer, or {@link #NO_HTTP_STATUS} for transport failures. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent's {@code error_code} from the answer's body, or {@link #NO_ERROR_CODE}. */
  public int errorCode() {
    return errorCode;
  }
}
