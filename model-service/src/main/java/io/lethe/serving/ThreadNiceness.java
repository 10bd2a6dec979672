package io.lethe.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread alone, as a database lowers its compaction
 * threads': on Linux every Java thread is a kernel task of its own, and {@code renice} on its id
 * changes only that task's nice value. The model service runs its snapshot follower so, because
 * loading a version (verify, decode, warm: a few milliseconds of CPU) on cores that are busy
 * serving would otherwise delay the requests in flight; at a higher nice value it takes the CPU the
 * requests leave, and they keep their latency. Best effort: where there is no {@code
 * /proc/thread-self} or {@code renice}, the thread keeps its priority and this says why once.
 */
final class ThreadNiceness {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNiceness.class);

  private ThreadNiceness() {}

  /**
   * Adds {@code increment} (1-19) to the calling thread's nice value.
   *
   * @return whether the thread's priority was lowered
   */
  static boolean lowerThisThread(int increment) {
    if (increment < 1 || increment > 19) {
      throw new IllegalArgumentException("nice increment must be 1-19, was " + increment);
    }
    String name = Thread.currentThread().getName();
    try {
      // "<pid>/task/<tid>"
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      String tid = self.getFileName().toString();
      Process renice =
          new ProcessBuilder("renice", "-n", String.valueOf(increment), "-p", tid)
              .redirectErrorStream(true)
              .start();
      String output = new String(renice.getInputStream().readAllBytes()).trim();
      if (!renice.waitFor(10, TimeUnit.SECONDS) || renice.exitValue() != 0) {
        LOG.info("thread {} keeps its CPU priority: renice said {}", name, output);
        return false;
      }
      LOG.debug("thread {} (task {}) runs at nice +{}", name, tid, increment);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      LOG.info("thread {} keeps its CPU priority: {}", name, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
