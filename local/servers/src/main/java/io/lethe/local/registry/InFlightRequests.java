package io.lethe.local.registry;

import java.time.Duration;

/**
 * Counts requests being handled so that close can refuse new ones and wait for the rest (the JDK 17
 * HttpServer's {@code stop(delay)} always waits the whole delay, even when idle).
 */
final class InFlightRequests {

  private int active;
  private boolean closing;

  /** Admits a request, or returns false once closing has begun. */
  synchronized boolean tryEnter() {
    if (closing) {
      return false;
    }
    active++;
    return true;
  }

  synchronized void exit() {
    active--;
    if (active == 0) {
      notifyAll();
    }
  }

  /** Refuses new requests and waits up to {@code timeout} for the admitted ones to finish. */
  synchronized boolean closeAndAwaitIdle(Duration timeout) throws InterruptedException {
    closing = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (active > 0) {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
      if (remainingMillis <= 0) {
        return false;
      }
      wait(remainingMillis);
    }
    return true;
  }
}
