package io.lethe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The values of a {@code --config FILE} as picocli defaults: an option missing from the command
 * line takes the file's value, converted and checked like a typed one. A key that names no option
 * is refused, as a misspelled option is.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
  private final Properties values;

  private ConfigFile(Properties values) {
    this.values = values;
  }

  /**
   * Finds {@code --config FILE} in {@code args}; if the command it belongs to (the root or a
   * subcommand named before it) has that option, makes the file's values its defaults.
   *
   * @throws ParameterException if the file cannot be read or has a key that names no option
   */
  static void install(CommandLine root, String[] args) {
    CommandLine target = root;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ("--".equals(arg)) {
        return;
      }
      CommandLine sub = target.getSubcommands().get(arg);
      if (sub != null) {
        target = sub;
        continue;
      }
      String file = null;
      if (arg.equals(ConfigFileOption.NAME) && i + 1 < args.length) {
        file = args[i + 1];
      } else if (arg.startsWith(ConfigFileOption.NAME + "=")) {
        file = arg.substring(ConfigFileOption.NAME.length() + 1);
      }
      if (file != null && target.getCommandSpec().findOption(ConfigFileOption.NAME) != null) {
        target.setDefaultValueProvider(new ConfigFile(read(target, Path.of(file))));
        return;
      }
    }
  }

  private static Properties read(CommandLine command, Path file) {
    Properties values = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      values.load(reader);
    } catch (IOException e) {
      throw new ParameterException(
          command,
          "Invalid value for option '"
              + ConfigFileOption.NAME
              + "': cannot read "
              + file
              + ": "
              + e);
    }
    Set<String> keys = new TreeSet<>();
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (!option.usageHelp()
          && !option.versionHelp()
          && !option.longestName().equals(ConfigFileOption.NAME)) {
        for (String name : option.names()) {
          if (name.startsWith("--")) {
            keys.add(key(name));
          }
        }
      }
    }
    for (String key : values.stringPropertyNames()) {
      if (!keys.contains(key)) {
        throw new ParameterException(
            command,
            "Invalid value for option '"
                + ConfigFileOption.NAME
                + "': "
                + file
                + " has the key '"
                + key
                + "', which names no option of "
                + command.getCommandSpec().qualifiedName()
                + " (keys are the long option names without the dashes)");
      }
    }
    return values;
  }

  private static String key(String optionName) {
    return optionName.replaceFirst("^-+", "");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    for (String name : option.names()) {
      String value = values.getProperty(key(name));
      if (value != null && name.startsWith("--")) {
        return value.strip();
      }
    }
    return null;
  }
}
