package io.lethe.job.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads, grouped by what they do, read from Linux's {@code /proc} (the
 * benchmark's machines are Linux; elsewhere {@link #available()} is false and nothing is read).
 * Throughput on a shared two-core machine varies by ±20% from run to run; CPU time per sample,
 * split by thread group, names the threads that did the work, so a change to one group shows in
 * that group even when the rate hides it.
 *
 * <p>A native thread takes its name from the thread that started it, so oneMKL's and OpenMP's
 * workers count with the Flink task that runs the learner.
 */
final class ThreadCpu {
  /** The groups, in the order they are printed; {@link #group} says which threads each holds. */
  static final List<String> GROUPS =
      List.of(
          "learner",
          "merge",
          "ledger",
          "source+decode",
          "sink",
          "rocksdb",
          "checkpoint",
          "kafka",
          "jit",
          "gc",
          "other");

  /** The in-JVM broker's threads and the Kafka clients' own. */
  private static final List<String> KAFKA_THREADS =
      List.of(
          "data-plane",
          "kafka",
          "broker",
          "controller",
          "quorum",
          "raft",
          "ExpirationReap",
          "group-coordin",
          "share-",
          "transaction",
          "TxnMarker",
          "executor-",
          "persister");

  private static final Path TASKS = Path.of("/proc/self/task");
  private static final Path PROCESS = Path.of("/proc/self/stat");
  private static final Path IO = Path.of("/proc/self/io");
  private static final Path STAT = Path.of("/proc/stat");

  private ThreadCpu() {}

  /**
   * CPU ticks of every live thread (by thread id) and of the whole process at one moment, the
   * machine's busy and idle ticks, and the bytes the process has passed to write calls ({@code
   * wchar} of proc(5): files and sockets alike, whether or not they reached a disk).
   */
  record Reading(
      Map<Long, ThreadTicks> threads,
      long processTicks,
      long machineBusy,
      long machineIdle,
      long bytesWritten) {
    /** What happened between {@code earlier} and this reading, per sample of {@code samples}. */
    Usage since(Reading earlier, long samples) {
      Map<String, Long> ticksByGroup = new TreeMap<>();
      threads.forEach(
          (tid, now) -> {
            ThreadTicks before = earlier.threads.get(tid);
            // a thread id Linux gave again to a new thread counts from zero, like any new thread
            boolean same = before != null && before.ticks <= now.ticks;
            long ticks = now.ticks - (same ? before.ticks : 0);
            ticksByGroup.merge(group(now.name), ticks, Long::sum);
          });
      // Threads that ended between the readings (a cancelled job's) are in the process's total
      // only; their time is counted as "other".
      long perThread = ticksByGroup.values().stream().mapToLong(Long::longValue).sum();
      long ended = processTicks - earlier.processTicks - perThread;
      ticksByGroup.merge("other", Math.max(0, ended), Long::sum);
      // USER_HZ is 100 on every Linux the JVM runs on; /proc reports in it, not in real ticks
      double microsPerTick = 10_000.0;
      Map<String, Double> perSample = new LinkedHashMap<>();
      for (String group : GROUPS) {
        perSample.put(group, ticksByGroup.getOrDefault(group, 0L) * microsPerTick / samples);
      }
      long busy = machineBusy - earlier.machineBusy;
      long idle = machineIdle - earlier.machineIdle;
      return new Usage(
          perSample,
          busy + idle == 0 ? 0 : (double) idle / (busy + idle),
          (double) (bytesWritten - earlier.bytesWritten) / samples);
    }
  }

  /** A thread's name (Linux's first 15 characters) and its user and system CPU ticks. */
  record ThreadTicks(String name, long ticks) {}

  /**
   * CPU per sample by group, in µs of one core, the share of the machine that stood idle, and the
   * bytes the process wrote per sample (RocksDB's files, the checkpoint's copies of them, the
   * in-JVM broker's log and sockets). The process's total CPU is the sum of the groups.
   */
  record Usage(
      Map<String, Double> microsPerSample, double machineIdleShare, double bytesWrittenPerSample) {
    double total() {
      return microsPerSample.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  static boolean available() {
    return Files.isDirectory(TASKS) && Files.isReadable(STAT);
  }

  /** Reads every thread's CPU time now. */
  static Reading read() {
    Map<Long, ThreadTicks> threads = new HashMap<>();
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException exited) {
          continue; // the thread ended while we listed them; the process's total keeps its time
        }
        threads.put(Long.parseLong(task.getFileName().toString()), parseStat(stat));
      }
      long processTicks = parseStat(Files.readString(PROCESS)).ticks();
      String[] cpu = Files.readAllLines(STAT).get(0).trim().split("\\s+");
      long busy = 0;
      long idle = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        long value = Long.parseLong(cpu[i]);
        if (i == 4 || i == 5) { // idle, iowait
          idle += value;
        } else {
          busy += value;
        }
      }
      return new Reading(threads, processTicks, busy, idle, bytesWritten());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code wchar} of {@code /proc/self/io}; 0 where the kernel does not account I/O. */
  private static long bytesWritten() throws IOException {
    if (!Files.isReadable(IO)) {
      return 0;
    }
    for (String line : Files.readAllLines(IO)) {
      if (line.startsWith("wchar:")) {
        return Long.parseLong(line.substring("wchar:".length()).trim());
      }
    }
    return 0;
  }

  /** Name and utime + stime of a {@code stat} file (proc(5)). */
  private static ThreadTicks parseStat(String stat) {
    // pid (comm) state ...: comm may hold spaces and parentheses, so split at the last ')'
    int close = stat.lastIndexOf(')');
    String name = stat.substring(stat.indexOf('(') + 1, close);
    String[] fields = stat.substring(close + 2).split(" ");
    // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15
    return new ThreadTicks(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
  }

  /** The group of a thread, by the name Linux keeps for it (at most 15 characters). */
  static String group(String name) {
    if (name.startsWith("Learner") || name.startsWith("ShardLearner")) {
      return "learner"; // a sharded model's shards together
    } else if (name.startsWith("ShardMerge")) {
      return "merge"; // a sharded model's merge and solve
    } else if (name.startsWith("ErasureLedger")) {
      return "ledger";
    } else if (name.startsWith("Source")) {
      return "source+decode"; // the source task with DecodeSamples chained, and its fetcher
    } else if (name.startsWith("KafkaOutputs")) {
      return "sink";
    } else if (name.startsWith("rocksdb")) {
      return "rocksdb"; // flushes and compactions
    } else if (name.startsWith("AsyncOperations") || name.startsWith("Flink-RocksDBSt")) {
      return "checkpoint"; // the asynchronous part: copying RocksDB's files to the checkpoint
    } else if (KAFKA_THREADS.stream().anyMatch(name::startsWith)) {
      return "kafka";
    } else if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "jit";
    } else if (name.startsWith("G1 ") || name.startsWith("GC Thread")) {
      return "gc";
    }
    return "other";
  }
}
