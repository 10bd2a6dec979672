package io.lethe.learners.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oneMKL shim that the {@code lethe} launcher preloads (src/main/native/mkl_all_cpus.c; it lets
 * oneMKL pick its AVX-512 kernels on AMD CPUs): it compiles, the JVM maps it, and the analytic
 * learner computes the same model with it as without, to rounding. Each side runs {@link
 * MklShimProbe} in a JVM of its own, because LD_PRELOAD only acts when a process starts.
 */
class MklShimTest {
  private static final Path SOURCE = Path.of("src/main/native/mkl_all_cpus.c");

  @Test
  void learnerComputesTheSameModelWithTheShimPreloaded(@TempDir Path dir) throws Exception {
    Path library = dir.resolve("liblethe-mkl-all-cpus.so");
    run(
        List.of("cc", "-shared", "-fPIC", "-O2", "-o", library.toString(), SOURCE.toString()),
        null,
        dir.resolve("cc.log"));

    List<String> with = probe(dir.resolve("with.txt"), library, dir.resolve("with.log"));
    List<String> without = probe(dir.resolve("without.txt"), null, dir.resolve("without.log"));

    assertEquals("shim mapped: true", with.get(0));
    assertEquals("shim mapped: false", without.get(0));
    assertEquals(without.size(), with.size());
    assertTrue(with.size() > 1000, "expected the head's weights, got " + with.size() + " lines");
    double largest = 0;
    double worst = 0;
    for (int i = 1; i < with.size(); i++) {
      largest = Math.max(largest, Math.abs(Double.parseDouble(without.get(i))));
    }
    for (int i = 1; i < with.size(); i++) {
      double difference =
          Math.abs(Double.parseDouble(with.get(i)) - Double.parseDouble(without.get(i)));
      worst = Math.max(worst, difference / largest);
    }
    assertTrue(worst < 1e-9, "weights with and without the shim differ by " + worst + " relative");
  }

  private static List<String> probe(Path out, Path preload, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    run(
        List.of(
            java,
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "-cp",
            System.getProperty("java.class.path"),
            MklShimProbe.class.getName(),
            out.toString()),
        preload,
        log);
    return Files.readAllLines(out);
  }

  /** Runs a command to completion within two minutes; fails with its output if it fails. */
  private static void run(List<String> command, Path preload, Path log) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(new ArrayList<>(command))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove("LD_PRELOAD");
    if (preload != null) {
      builder.environment().put("LD_PRELOAD", preload.toString());
    }
    Process process = builder.start();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish in 2 minutes: " + tail(log));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          command.get(0) + " exited with " + process.exitValue() + ": " + tail(log));
    }
  }

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log);
    return text.substring(Math.max(0, text.length() - 2000));
  }
}
