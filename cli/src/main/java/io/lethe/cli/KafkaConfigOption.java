package io.lethe.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --kafka-config FILE} (a mixin beside {@link KafkaOptions}): Kafka client properties in
 * Kafka's own format, e.g. {@code security.protocol}, {@code sasl.*} and {@code ssl.*}, for every
 * Kafka client of the command, with Lethe's required settings on top ({@link KafkaClientConfig});
 * the schema registry client reads its Confluent properties ({@code schema.registry.url}, {@code
 * basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*}) from the same file. The file
 * is read while the command line is parsed, so an unreadable one is a usage error.
 */
public final class KafkaConfigOption {
  /** The option's name. */
  public static final String NAME = "--kafka-config";

  @Option(
      names = NAME,
      paramLabel = "FILE",
      converter = Load.class,
      description =
          "Kafka client properties (Kafka's format, as --command-config of Kafka's tools:"
              + " security.protocol, sasl.*, ssl.*...) for every Kafka client, with Lethe's"
              + " required settings on top; also the registry's schema.registry.url,"
              + " basic.auth.*, bearer.auth.* and schema.registry.ssl.*.")
  KafkaClientConfig config;

  /** The file's properties, or {@link KafkaClientConfig#none()} without the option. */
  public KafkaClientConfig config() {
    return config != null ? config : KafkaClientConfig.none();
  }

  /** Reads the file while parsing. */
  static final class Load implements ITypeConverter<KafkaClientConfig> {
    @Override
    public KafkaClientConfig convert(String text) {
      try {
        return KafkaClientConfig.load(Path.of(text));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
