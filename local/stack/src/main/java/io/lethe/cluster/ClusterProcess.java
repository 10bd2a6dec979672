package io.lethe.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One JVM of the local cluster (a role such as {@code jobmanager}, {@code taskmanager-2} or {@code
 * kafka}), started detached with its output in a log file and its pid in a pid file, so that a
 * later {@code lethe cluster down} in another JVM finds it again.
 *
 * <p>Every process carries {@code -Dlethe.cluster.role=<role>} and {@code
 * -Dlethe.cluster.dir=<state dir>} on its command line: a pid is only trusted if the process with
 * that pid still has both, so a recycled pid is never signalled.
 */
final class ClusterProcess {
  static final String ROLE_PROPERTY = "lethe.cluster.role";
  static final String DIR_PROPERTY = "lethe.cluster.dir";

  private final String role;
  private final ProcessHandle handle;
  private final Path output;

  private ClusterProcess(String role, ProcessHandle handle, Path output) {
    this.role = role;
    this.handle = handle;
    this.output = output;
  }

  /**
   * Starts {@code command} (a {@code java} command line, whose first JVM options must include the
   * role and directory markers), appending its output to {@code <logs>/<role>.out}.
   */
  static ClusterProcess launch(String role, List<String> command, Path stateDir)
      throws IOException {
    Path output = stateDir.resolve("logs").resolve(role + ".out");
    Files.createDirectories(output.getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    Path pidFile = pidFile(stateDir, role);
    Files.createDirectories(pidFile.getParent());
    Files.writeString(pidFile, String.valueOf(process.pid()), StandardCharsets.UTF_8);
    return new ClusterProcess(role, process.toHandle(), output);
  }

  /** The markers every process of the cluster in {@code stateDir} carries. */
  static List<String> markers(String role, Path stateDir) {
    return List.of("-D" + ROLE_PROPERTY + "=" + role, "-D" + DIR_PROPERTY + "=" + stateDir);
  }

  /** The process a pid file names, if it still runs and is still that role of this cluster. */
  static Optional<ClusterProcess> find(String role, Path stateDir) {
    Path pidFile = pidFile(stateDir, role);
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    Path output = stateDir.resolve("logs").resolve(role + ".out");
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> hasMarkers(h, markers(role, stateDir)))
        .map(h -> new ClusterProcess(role, h, output));
  }

  private static boolean hasMarkers(ProcessHandle handle, List<String> markers) {
    return arguments(handle).containsAll(markers);
  }

  /**
   * The process's command line. {@code ProcessHandle.Info.arguments()} comes back empty for these
   * JVMs on Linux (their class paths are long), so it is read from {@code /proc} where possible.
   */
  private static List<String> arguments(ProcessHandle handle) {
    Path cmdline = Path.of("/proc", String.valueOf(handle.pid()), "cmdline");
    if (Files.isReadable(cmdline)) {
      try {
        return List.of(Files.readString(cmdline, StandardCharsets.UTF_8).split("\u0000"));
      } catch (IOException e) {
        return List.of();
      }
    }
    return handle.info().arguments().map(List::of).orElse(List.of());
  }

  static Path pidFile(Path stateDir, String role) {
    return stateDir.resolve("pids").resolve(role + ".pid");
  }

  String role() {
    return role;
  }

  long pid() {
    return handle.pid();
  }

  boolean isAlive() {
    return handle.isAlive();
  }

  /** Where the process's standard output and error go. */
  Path output() {
    return output;
  }

  /** {@code kill -9}: no shutdown hooks run, as when a machine dies. Waits until it is gone. */
  void kill() throws IOException {
    handle.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited after {@code grace}; then the same for any process
   * it started that outlived it.
   */
  void stop(Duration grace) throws IOException {
    if (!handle.isAlive()) {
      return;
    }
    List<ProcessHandle> children = handle.descendants().toList();
    handle.destroy();
    try {
      awaitExit(grace);
    } catch (IOException e) {
      kill();
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroy();
        try {
          child.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
          child.destroyForcibly();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while stopping the children of " + role, e);
        }
      }
    }
  }

  /** The process and every process it started, while they run. */
  List<ProcessHandle> tree() {
    List<ProcessHandle> tree = new java.util.ArrayList<>();
    tree.add(handle);
    handle.descendants().forEach(tree::add);
    return tree;
  }

  private void awaitExit(Duration bound) throws IOException {
    try {
      handle.onExit().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(role + " (pid " + pid() + ") did not exit within " + bound);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping " + role, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("waiting for " + role + " to exit failed", e);
    }
  }

  /** The last {@code lines} lines of the process's output, for error messages. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(output, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no output in " + output + ")";
    }
  }
}
