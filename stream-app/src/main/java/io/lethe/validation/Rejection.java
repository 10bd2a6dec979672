package io.lethe.validation;

import java.util.Objects;

/**
 * Why the ingress refused a record: a short code for metrics and headers, and a message for people
 * that names the record and what was wrong.
 *
 * @param code stable, lower-case reason code, e.g. {@code wrong-feature-count}
 * @param message e.g. "sample s-17 of dataset fashion-mnist has 783 features, expected 784"
 */
public record Rejection(String code, String message) {
  /** Reason code of bytes that are not a record of the topic's type. */
  public static final String MALFORMED = "malformed";

  /** Reason code of a record larger than {@code lethe.ingress.max.record.bytes}. */
  public static final String RECORD_TOO_LARGE = "record-too-large";

  /** Checks both parts are present. */
  public Rejection {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
