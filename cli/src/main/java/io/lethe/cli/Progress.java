package io.lethe.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A benchmark's progress on standard error, so that a long run shows it is alive without mixing
 * into the report on standard output: a line per phase, and while a phase runs a status line every
 * few seconds. Each line starts with the command's name and the time since it started.
 */
public final class Progress implements AutoCloseable {
  private final String name;
  private final PrintStream err;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService timer;

  private Progress(String name, PrintStream err) {
    this.name = name;
    this.err = err;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, name + "-progress");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Progress of the command {@code name} (e.g. {@code "lethe bench"}) on {@link System#err}. */
  public static Progress start(String name) {
    return new Progress(name, System.err);
  }

  /** Prints {@code message} as the start of a phase. */
  public void phase(String message) {
    print(message);
  }

  /**
   * Prints {@code status} every {@code period} until the returned handle is closed; {@code status}
   * is called on another thread, so it must read thread-safe state.
   */
  public AutoCloseable every(Duration period, Supplier<String> status) {
    var task =
        timer.scheduleAtFixedRate(
            () -> print(status.get()), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return () -> task.cancel(false);
  }

  private void print(String message) {
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    err.printf("%s [%d:%02d] %s%n", name, seconds / 60, seconds % 60, message);
    err.flush();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
