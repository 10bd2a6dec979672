package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The snapshot follower's lower priority: only the calling thread's nice value changes. */
class ThreadNicenessTest {
  @Test
  void shouldRaiseTheNiceValueOfTheCallingThreadOnly() throws Exception {
    AtomicReference<Boolean> lowered = new AtomicReference<>();
    AtomicInteger niceAfter = new AtomicInteger(Integer.MIN_VALUE);
    int before = niceOfThisThread();
    Thread thread =
        new Thread(
            () -> {
              lowered.set(ThreadNiceness.lowerThisThread(5));
              niceAfter.set(niceOfThisThread());
            });
    thread.start();
    thread.join(30_000);

    assertThat(lowered.get()).isTrue();
    assertThat(niceAfter.get()).isEqualTo(Math.min(19, before + 5));
    assertThat(niceOfThisThread()).as("the caller's thread is untouched").isEqualTo(before);
  }

  @Test
  void shouldRefuseAnIncrementOutsideOneToNineteen() {
    assertThatThrownBy(() -> ThreadNiceness.lowerThisThread(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1-19");
  }

  /** Field 19 of /proc/thread-self/stat, after the command name in parentheses. */
  private static int niceOfThisThread() {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/thread-self/stat"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[16]);
  }
}
