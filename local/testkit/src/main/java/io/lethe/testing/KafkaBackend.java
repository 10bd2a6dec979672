package io.lethe.testing;

/** A running Kafka cluster that tests talk to: in this JVM, or in a container where Docker runs. */
interface KafkaBackend extends AutoCloseable {
  /** The bootstrap address clients connect to. */
  String bootstrapServers();

  /** Short description for logs, e.g. "in-JVM KRaft broker". */
  String description();

  @Override
  void close() throws Exception;
}
