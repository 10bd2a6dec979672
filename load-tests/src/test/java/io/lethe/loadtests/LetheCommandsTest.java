package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cluster.DashboardMain;
import io.lethe.cluster.RegistryMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command in the {@code lethe} launcher's COMMANDS table (and the registry and the dashboard
 * the local cluster starts), run in this JVM through its main class's static {@code
 * run(String...)}: {@code --help} and {@code -h} print the usage and exit 0 without starting
 * anything, and a misspelled option exits 2 with one line that names it. This module has every
 * other module on its test class path.
 */
class LetheCommandsTest {
  private static final Pattern ENTRY =
      Pattern.compile("^\\s*\\[([a-z-]+)\\]=\"(\\S+) (\\S+) (\\S+) .*\"$");

  /** The launcher's COMMANDS table: command name to main class. */
  static Map<String, String> commands() throws Exception {
    Path script = Path.of("").toAbsolutePath().getParent().resolve("lethe");
    Map<String, String> commands = new LinkedHashMap<>();
    for (String line : Files.readAllLines(script, StandardCharsets.UTF_8)) {
      Matcher m = ENTRY.matcher(line);
      if (m.matches()) {
        commands.put(m.group(1), m.group(3));
      }
    }
    return commands;
  }

  static Stream<Arguments> mains() throws Exception {
    Map<String, String> commands = commands();
    assertThat(commands)
        .containsKeys(
            "demo",
            "eval",
            "bench-learners",
            "bench-codecs",
            "bench-job",
            "job",
            "cluster",
            "serve",
            "bench",
            "bench-serving",
            "soak",
            "ingress");
    List<Arguments> mains = new ArrayList<>();
    commands.forEach((name, main) -> mains.add(Arguments.of("lethe " + name, main)));
    mains.add(Arguments.of("registry", RegistryMain.class.getName()));
    mains.add(Arguments.of("dashboard", DashboardMain.class.getName()));
    return mains.stream();
  }

  /** What a run printed and returned. */
  private record Ran(int code, String out, String err) {}

  private static Ran run(String mainClass, String... args) throws Exception {
    Method run = Class.forName(mainClass).getMethod("run", String[].class);
    assertThat(Modifier.isStatic(run.getModifiers())).as(mainClass + ".run is static").isTrue();
    assertThat(run.getReturnType()).isEqualTo(int.class);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = (int) run.invoke(null, (Object) args);
      return new Ran(
          code,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mains")
  void shouldPrintTheUsageForHelpAndExitZero(String command, String mainClass) throws Exception {
    for (String help : new String[] {"--help", "-h"}) {
      Ran ran = run(mainClass, help);
      assertThat(ran.code()).as(command + " " + help + ": " + ran.err()).isZero();
      assertThat(ran.out()).as(command + " " + help).startsWith("Usage: " + command);
      assertThat(ran.err()).as(command + " " + help).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mains")
  void shouldRefuseAMisspelledOptionWithOneLineAndExitTwo(String command, String mainClass)
      throws Exception {
    Ran ran = run(mainClass, "--durration", "5");
    assertThat(ran.code()).as(command + ": " + ran.err()).isEqualTo(2);
    assertThat(ran.out()).as(command).isEmpty();
    assertThat(ran.err().lines()).as(command).hasSize(1);
    assertThat(ran.err()).startsWith(command + ": ").contains("durration");
  }
}
