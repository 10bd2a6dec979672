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
 * is refused, as a misspelled option is. A command with {@code --kafka-config} and {@code
 * --registry} also takes a missing {@code --registry} from the Kafka file's {@code
 * schema.registry.url}.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
  private final Properties values;
  private final Properties fallback;

  private ConfigFile(Properties values, Properties fallback) {
    this.values = values;
    this.fallback = fallback;
  }

  /**
   * Finds {@code --config FILE} in {@code args}; if the command it belongs to (the root or a
   * subcommand named before it) has that option, makes the file's values its defaults.
   *
   * @throws ParameterException if the file cannot be read or has a key that names no option
   */
  static void install(CommandLine root, String[] args) {
    CommandLine target = root;
    String file = null;
    String kafkaFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ("--".equals(arg)) {
        break;
      }
      CommandLine sub = target.getSubcommands().get(arg);
      if (sub != null) {
        target = sub;
        continue;
      }
      String config = valueOf(ConfigFileOption.NAME, args, i);
      if (config != null && file == null && has(target, ConfigFileOption.NAME)) {
        file = config;
      }
      String kafka = valueOf(KafkaConfigOption.NAME, args, i);
      if (kafka != null && has(target, KafkaConfigOption.NAME)) {
        kafkaFile = kafka;
      }
    }
    Properties values = file != null ? read(target, Path.of(file)) : new Properties();
    if (kafkaFile == null) {
      kafkaFile = values.getProperty(key(KafkaConfigOption.NAME));
    }
    Properties fallback = new Properties();
    if (kafkaFile != null && has(target, KafkaConfigOption.NAME) && has(target, "--registry")) {
      // schema.registry.url stands in for a missing --registry, as Confluent's clients read it
      try {
        String url =
            KafkaClientConfig.load(Path.of(kafkaFile.strip()))
                .properties()
                .get(KafkaClientConfig.REGISTRY_URL);
        if (url != null) {
          fallback.setProperty("registry", url);
        }
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            target, "Invalid value for option '" + KafkaConfigOption.NAME + "': " + e.getMessage());
      }
    }
    if (file != null || !fallback.isEmpty()) {
      target.setDefaultValueProvider(new ConfigFile(values, fallback));
    }
  }

  /**
   * The value of {@code option} if {@code args[i]} is it ({@code --x FILE} or {@code --x=FILE}).
   */
  private static String valueOf(String option, String[] args, int i) {
    if (args[i].equals(option) && i + 1 < args.length) {
      return args[i + 1];
    }
    return args[i].startsWith(option + "=") ? args[i].substring(option.length() + 1) : null;
  }

  private static boolean has(CommandLine command, String option) {
    return command.getCommandSpec().findOption(option) != null;
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
      String value = values.getProperty(key(name), fallback.getProperty(key(name)));
      if (value != null && name.startsWith("--")) {
        return value.strip();
      }
    }
    return null;
  }
}
