package io.lethe.validation;

import java.util.Objects;

/**
 * Why Lethe refused a record: a short code for metrics and headers, and a message for people that
 * names the record and what was wrong. The codes that any component may use are here; the
 * validators add the codes of their own checks. Every code is listed in docs/dead-letters.md.
 *
 * @param code stable, lower-case reason code, e.g. {@code wrong-feature-count}
 * @param message e.g. "sample s-17 of dataset fashion-mnist has 783 features, expected 784"
 */
public record Rejection(String code, String message) {
  /** Reason code of bytes that are not a record of the topic's type. */
  public static final String MALFORMED = "malformed";

  /** Reason code of a record larger than the component's record limit. */
  public static final String RECORD_TOO_LARGE = "record-too-large";

  /** Reason code of a sample whose id was already accepted (whatever its key or partition). */
  public static final String DUPLICATE_SAMPLE = "duplicate-sample";

  /** Reason code of a sample erased by a SAMPLE erasure before it arrived. */
  public static final String SAMPLE_ERASED = "sample-erased";

  /** Reason code of a late sample of a subject erased after the sample's event time. */
  public static final String SUBJECT_ERASED = "subject-erased";

  /** Reason code of an erasure request reusing an executed request's id with other content. */
  public static final String REQUEST_ID_REUSED = "request-id-reused";

  /** Reason code of a record whose processing failed unexpectedly (a defect; see the logs). */
  public static final String PROCESSING_FAILED = "processing-failed";

  /** Reason code of an output that Kafka refused for this record (e.g. larger than allowed). */
  public static final String UNDELIVERABLE = "undeliverable";

  /** Checks both parts are present. */
  public Rejection {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
