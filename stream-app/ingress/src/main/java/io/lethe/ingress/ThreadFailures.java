package io.lethe.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ingress does when a stream thread dies. Bad records never get here (they are
 * dead-lettered), so a death is an infrastructure fault, e.g. the schema registry out of reach: the
 * thread is replaced, up to {@link #MAX_REPLACEMENTS} times in {@link #WINDOW}. A thread that keeps
 * dying is not retried forever on the same input: the ingress shuts its Kafka Streams client down,
 * which turns {@code /readyz} to 503 with the state, and the operator (or the orchestrator's
 * restart policy) takes over.
 */
final class ThreadFailures implements StreamsUncaughtExceptionHandler {
  /** Replacements allowed within {@link #WINDOW}. */
  static final int MAX_REPLACEMENTS = 3;

  /** The window {@link #MAX_REPLACEMENTS} counts over. */
  static final Duration WINDOW = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(ThreadFailures.class);

  private final Clock clock;
  private final Deque<Long> recent = new ArrayDeque<>();

  ThreadFailures(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable error) {
    long now = clock.millis();
    while (!recent.isEmpty() && recent.peekFirst() <= now - WINDOW.toMillis()) {
      recent.removeFirst();
    }
    if (recent.size() >= MAX_REPLACEMENTS) {
      log.error(
          "Ingress stream thread failed for the {}th time in {}; shutting the ingress down"
              + " (readyz answers 503) instead of retrying",
          recent.size() + 1,
          WINDOW,
          error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recent.addLast(now);
    log.error("Ingress stream thread failed; replacing it", error);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
