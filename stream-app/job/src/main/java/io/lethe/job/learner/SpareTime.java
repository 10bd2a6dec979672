package io.lethe.job.learner;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * Measures, tick by tick, how much time the learner operator's thread and the machine left unused,
 * so that extra training steps take only that ({@link IdleTick}).
 *
 * <p>The thread's own time is its CPU time: the mailbox thread runs records, timers and
 * checkpoints, and what it did not spend on them it spent waiting for input. The machine's is its
 * recent CPU load over all cores: when the stack's other parts (the ingress, the broker, other
 * operators) keep every core busy, a step taken "in idle time" would still take a core from them,
 * and the stream would fall behind. The time of the steps themselves is not counted: each tick
 * starts after the previous tick's steps ({@link #stepsDone}).
 */
final class SpareTime {
  /** The readings; the real ones come from the JVM, tests give their own. */
  interface Readings {
    long nanoTime();

    /** CPU time of the calling thread, in nanoseconds. */
    long threadCpuNanos();

    /**
     * The share of all cores busy since the previous call, 0-1; negative when unknown (then only
     * the thread's time counts).
     */
    double machineCpuLoad();

    int cores();
  }

  private final Readings readings;
  private long startNanos;
  private long startThreadCpu;

  SpareTime(Readings readings) {
    this.readings = readings;
    stepsDone();
  }

  /**
   * The readings of this JVM and the calling thread.
   *
   * @param clockNanos the time of the operator's timers, in nanoseconds (its processing time)
   */
  static SpareTime ofThisThread(LongSupplier clockNanos) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean threadCpu = threads.isCurrentThreadCpuTimeSupported();
    com.sun.management.OperatingSystemMXBean os =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
    int cores = Runtime.getRuntime().availableProcessors();
    return new SpareTime(
        new Readings() {
          @Override
          public long nanoTime() {
            return clockNanos.getAsLong();
          }

          @Override
          public long threadCpuNanos() {
            // without thread CPU time, count the thread as busy all the time: no steps while
            // records come
            return threadCpu ? threads.getCurrentThreadCpuTime() : clockNanos.getAsLong();
          }

          @Override
          public double machineCpuLoad() {
            return os == null ? -1 : os.getCpuLoad();
          }

          @Override
          public int cores() {
            return cores;
          }
        });
  }

  /** The tick that ends now, since the end of the previous one's steps. */
  IdleTick tick(boolean inputCame) {
    long elapsed = Math.max(0, readings.nanoTime() - startNanos);
    long threadBusy = readings.threadCpuNanos() - startThreadCpu;
    long spare = Math.max(0, elapsed - threadBusy);
    double load = readings.machineCpuLoad();
    if (load >= 0) {
      long machineSpare = Math.round((1 - Math.min(1, load)) * readings.cores() * elapsed);
      spare = Math.min(spare, machineSpare);
    }
    return new IdleTick(elapsed, spare, inputCame);
  }

  /** Call after the tick's steps: the next tick is measured from here. */
  void stepsDone() {
    startNanos = readings.nanoTime();
    startThreadCpu = readings.threadCpuNanos();
    // starts the machine's load interval here too, so that it leaves out the steps just taken
    readings.machineCpuLoad();
  }
}
