package io.lethe.testing;

import io.lethe.local.kafka.EmbeddedKafka;

/** The {@link EmbeddedKafka} broker as a test backend. */
final class InJvmKafka implements KafkaBackend {
  private final EmbeddedKafka kafka;

  private InJvmKafka(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  /** Starts a single-node KRaft broker in this JVM; see {@link EmbeddedKafka#start()}. */
  public static InJvmKafka start() throws Exception {
    return new InJvmKafka(EmbeddedKafka.start());
  }

  @Override
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public String description() {
    return "in-JVM KRaft broker";
  }

  @Override
  public void close() throws Exception {
    kafka.close();
  }
}
