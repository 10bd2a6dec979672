package io.lethe.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h}/{@code --help} and {@code -V}/{@code --version}, mixed into every {@code lethe}
 * command with {@code @Mixin}; {@link Cli} prints what they ask for and exits 0.
 */
public final class StandardOptions {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Print this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print the version and exit.")
  boolean version;
}
