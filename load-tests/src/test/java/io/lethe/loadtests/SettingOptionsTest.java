package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.ingress.IngressSettings;
import io.lethe.job.JobSettings;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.refresh.RefreshSettings;
import io.lethe.learners.settings.SettingDef;
import io.lethe.serving.ServingSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command-line option that sets a declared setting is spelled as its declaration: every option of
 * every {@code lethe} command (and subcommand) is compared with every declaration, ignoring case
 * and separators, so that {@code --buffer_size} or {@code --bufferSize} beside a declared {@code
 * buffer-size} fails here.
 */
class SettingOptionsTest {
  /** Every declaration a user can meet on a command line, by key. */
  private static Map<String, SettingDef<?>> declarations() {
    Map<String, SettingDef<?>> byKey = new LinkedHashMap<>();
    for (List<SettingDef<?>> list :
        List.of(
            AnalyticSettings.SETTINGS,
            HypernetSettings.SETTINGS,
            RefreshSettings.SETTINGS,
            DatasetSpec.SETTINGS,
            ModelSpec.SETTINGS,
            SnapshotPolicy.SETTINGS,
            IngressSettings.SETTINGS,
            JobSettings.SETTINGS,
            ServingSettings.SETTINGS)) {
      for (SettingDef<?> def : list) {
        byKey.putIfAbsent(def.key(), def);
      }
    }
    return byKey;
  }

  private static String normalized(String name) {
    return name.replaceFirst("^-+", "").replaceAll("[-_.]", "").toLowerCase(Locale.ROOT);
  }

  /** A command and its subcommands, each with its qualified name. */
  private static void collect(String name, CommandLine command, Map<String, CommandSpec> into) {
    into.put(name, command.getCommandSpec());
    command.getSubcommands().forEach((sub, line) -> collect(name + " " + sub, line, into));
  }

  private static Map<String, CommandSpec> commands() throws Exception {
    Map<String, CommandSpec> specs = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : LetheCommandsTest.commands().entrySet()) {
      Class<?> main = Class.forName(entry.getValue());
      if (main.isAnnotationPresent(CommandLine.Command.class)) {
        collect("lethe " + entry.getKey(), new CommandLine(main), specs);
      }
    }
    return specs;
  }

  @Test
  void shouldSpellEveryOptionOfADeclaredSettingAsItsDeclaration() throws Exception {
    Map<String, SettingDef<?>> declared = declarations();
    Map<String, String> byNormalizedKey = new LinkedHashMap<>();
    declared.keySet().forEach(key -> byNormalizedKey.put(normalized(key), key));
    List<String> misspelled = new ArrayList<>();
    int matched = 0;
    Map<String, CommandSpec> commands = commands();
    assertThat(commands).containsKeys("lethe demo", "lethe serve", "lethe eval analytic");
    for (Map.Entry<String, CommandSpec> command : commands.entrySet()) {
      for (OptionSpec option : command.getValue().options()) {
        for (String name : option.names()) {
          String key = byNormalizedKey.get(normalized(name));
          if (key == null) {
            continue;
          }
          matched++;
          if (!name.equals(declared.get(key).cliOption())) {
            misspelled.add(command.getKey() + " " + name + " (declared: " + key + ")");
          }
        }
      }
    }
    assertThat(misspelled).as("options spelled unlike their declarations").isEmpty();
    assertThat(matched).as("options that set a declared setting").isGreaterThan(10);
  }
}
