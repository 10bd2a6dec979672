package io.lethe.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadCpuTest {
  @Test
  void groupsThreadsByTheNamesFlinkRocksDbAndTheJvmGiveThem() {
    assertThat(ThreadCpu.group("Learner (1/2)#0")).isEqualTo("learner");
    assertThat(ThreadCpu.group("ErasureLedger (")).isEqualTo("ledger");
    assertThat(ThreadCpu.group("Source: Samples")).isEqualTo("source+decode");
    assertThat(ThreadCpu.group("Source Data Fet")).isEqualTo("source+decode");
    assertThat(ThreadCpu.group("KafkaOutputs: W")).isEqualTo("sink");
    assertThat(ThreadCpu.group("rocksdb:low")).isEqualTo("rocksdb");
    assertThat(ThreadCpu.group("Flink-RocksDBSt")).isEqualTo("checkpoint");
    assertThat(ThreadCpu.group("data-plane-kafk")).isEqualTo("kafka");
    assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("jit");
    assertThat(ThreadCpu.group("GC Thread#1")).isEqualTo("gc");
    assertThat(ThreadCpu.group("flink-pekko.act")).isEqualTo("other");
  }

  @Test
  void countsAThreadsCpuTimeUnderItsGroupPerSample() throws Exception {
    assumeTrue(ThreadCpu.available(), "needs Linux's /proc");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    CountDownLatch burned = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long[] burnedNanos = new long[1];
    Thread learner =
        new Thread(
            () -> {
              long start = mx.getCurrentThreadCpuTime();
              double sink = 0;
              // 300 ms of this thread's own CPU time, however busy the machine is
              while (mx.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(300)) {
                for (int i = 0; i < 10_000; i++) {
                  sink += Math.sqrt(i + sink);
                }
              }
              burnedNanos[0] = mx.getCurrentThreadCpuTime() - start + (sink < 0 ? 1 : 0);
              burned.countDown();
              try {
                release.await(2, TimeUnit.MINUTES); // alive while the test reads /proc
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "Learner (1/1)#0");
    ThreadCpu.Reading before = ThreadCpu.read();
    learner.start();
    assertThat(burned.await(2, TimeUnit.MINUTES)).isTrue();
    ThreadCpu.Reading alive = ThreadCpu.read();
    release.countDown();
    learner.join(TimeUnit.MINUTES.toMillis(2));
    assertThat(learner.isAlive()).isFalse();
    // join() returns once the Java thread has terminated; its native thread may still be exiting
    // and listed in /proc for a moment (a fresh clone's CI read it there, 300 µs still "learner")
    awaitGoneFromProc("Learner (1/1)#0", Duration.ofSeconds(30));
    ThreadCpu.Reading ended = ThreadCpu.read();

    // 1,000 samples: µs per sample = ms in total; /proc counts 10 ms ticks, allow two either side
    double burnedMillis = burnedNanos[0] / 1e6;
    ThreadCpu.Usage whileAlive = alive.since(before, 1_000);
    assertThat(whileAlive.microsPerSample().get("learner"))
        .isBetween(burnedMillis - 20, burnedMillis + 20);
    assertThat(whileAlive.microsPerSample().keySet()).containsExactlyElementsOf(ThreadCpu.GROUPS);
    assertThat(whileAlive.machineIdleShare()).isBetween(0.0, 1.0);
    // once the thread has ended its time is only in the process's total, and counts as "other"
    ThreadCpu.Usage afterEnd = ended.since(before, 1_000);
    assertThat(afterEnd.microsPerSample().get("learner")).isZero();
    assertThat(afterEnd.microsPerSample().get("other")).isGreaterThanOrEqualTo(burnedMillis - 20);
    assertThat(afterEnd.total()).isGreaterThanOrEqualTo(whileAlive.total() - 20);
  }

  /**
   * Waits until no thread of this process has {@code name} in /proc, or fails after {@code bound}.
   */
  private static void awaitGoneFromProc(String name, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (listedInProc(name)) {
      assertThat(System.nanoTime())
          .as("thread %s still in /proc after %s", name, bound)
          .isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private static boolean listedInProc(String name) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.anyMatch(
          task -> {
            try {
              return Files.readString(task.resolve("comm")).strip().equals(name);
            } catch (IOException gone) {
              return false; // the task ended while we listed it
            }
          });
    }
  }

  @Test
  void countsTheBytesTheProcessWrites(@TempDir Path dir) throws Exception {
    assumeTrue(ThreadCpu.available(), "needs Linux's /proc");
    ThreadCpu.Reading before = ThreadCpu.read();
    Files.write(dir.resolve("two-megabytes"), new byte[2_000_000]);
    ThreadCpu.Reading after = ThreadCpu.read();
    // 1,000 samples: 2,000 bytes each at least (other threads of the JVM may write too)
    assertThat(after.since(before, 1_000).bytesWrittenPerSample()).isBetween(2_000.0, 4_000.0);
  }
}
