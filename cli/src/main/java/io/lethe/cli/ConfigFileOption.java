package io.lethe.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} for the long-running commands, mixed in with {@code @Mixin}: a Java
 * properties file whose keys are the command's long option names without the dashes ({@code
 * bootstrap=localhost:9092}); options on the command line override it. {@link Cli} reads it before
 * parsing ({@link ConfigFile}).
 */
public final class ConfigFileOption {
  /** The option's name. */
  public static final String NAME = "--config";

  @Option(
      names = NAME,
      paramLabel = "FILE",
      description =
          "Read option values from this properties file (keys: the long option names without the"
              + " dashes, e.g. bootstrap=localhost:9092); the command line overrides it.")
  Path file;

  /** The file given, or null. */
  public Path file() {
    return file;
  }
}
