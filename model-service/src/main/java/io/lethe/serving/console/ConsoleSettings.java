package io.lethe.serving.console;

import io.lethe.learners.data.LabeledSet;
import io.lethe.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.Objects;

/**
 * What the console follows and how much of it it keeps.
 *
 * @param receiptsTopic the ingress's erasure receipts (completed and rejected requests)
 * @param erasuresTopic the validated erasure requests (pending requests and their subjects)
 * @param deadLetterTopic rejected input; only the reason headers are read
 * @param maxErasures most erasure requests kept, the newest; older ones are forgotten
 * @param sampleInterval how often each model's version, snapshot age and samples learned are
 *     recorded for the charts
 * @param historyPoints samples kept per model (a ring buffer): with the defaults one hour
 * @param evaluation a held-out labelled set each newly served version is scored on, or null: the
 *     console then shows no accuracy
 * @param maxEvaluationRows most rows of {@code evaluation} scored per version (the first ones), to
 *     bound the work a version costs
 */
public record ConsoleSettings(
    String receiptsTopic,
    String erasuresTopic,
    String deadLetterTopic,
    int maxErasures,
    Duration sampleInterval,
    int historyPoints,
    LabeledSet evaluation,
    int maxEvaluationRows) {

  /** Default {@link #maxErasures}. */
  public static final int DEFAULT_MAX_ERASURES = 10_000;

  /** Default {@link #sampleInterval}. */
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(5);

  /** Default {@link #historyPoints}: an hour at the default interval. */
  public static final int DEFAULT_HISTORY_POINTS = 720;

  /** Default {@link #maxEvaluationRows}. */
  public static final int DEFAULT_MAX_EVALUATION_ROWS = 2_000;

  /** Checks the bounds; messages name the component. */
  public ConsoleSettings {
    Objects.requireNonNull(receiptsTopic, "receiptsTopic");
    Objects.requireNonNull(erasuresTopic, "erasuresTopic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    if (maxErasures < 1) {
      throw new IllegalArgumentException("maxErasures must be at least 1, got " + maxErasures);
    }
    if (sampleInterval == null || sampleInterval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "sampleInterval must be at least 100 ms, got " + sampleInterval);
    }
    if (historyPoints < 2) {
      throw new IllegalArgumentException("historyPoints must be at least 2, got " + historyPoints);
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException(
          "maxEvaluationRows must be at least 1, got " + maxEvaluationRows);
    }
  }

  /** Lethe's default topics and bounds, without an evaluation set. */
  public static ConsoleSettings defaults() {
    TopicNames names = TopicNames.defaults();
    return new ConsoleSettings(
        names.receipts(),
        names.erasures(),
        names.deadLetter(),
        DEFAULT_MAX_ERASURES,
        DEFAULT_SAMPLE_INTERVAL,
        DEFAULT_HISTORY_POINTS,
        null,
        DEFAULT_MAX_EVALUATION_ROWS);
  }

  /** A copy that scores each new version on {@code set} (null: no accuracy). */
  public ConsoleSettings withEvaluation(LabeledSet set) {
    return new ConsoleSettings(
        receiptsTopic,
        erasuresTopic,
        deadLetterTopic,
        maxErasures,
        sampleInterval,
        historyPoints,
        set,
        maxEvaluationRows);
  }

  /** A copy that records the charts' samples every {@code interval}. */
  public ConsoleSettings withSampleInterval(Duration interval) {
    return new ConsoleSettings(
        receiptsTopic,
        erasuresTopic,
        deadLetterTopic,
        maxErasures,
        interval,
        historyPoints,
        evaluation,
        maxEvaluationRows);
  }
}
