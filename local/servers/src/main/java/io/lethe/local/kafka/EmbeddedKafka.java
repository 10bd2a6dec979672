package io.lethe.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka broker in this JVM (one combined broker and controller), from Kafka's own test
 * kit: the same broker code as production, started in about 2.5 seconds. The embedded default
 * ({@code lethe demo}, the benchmarks) and the tests run on it.
 *
 * <p>This module is for running Lethe on one machine and for tests; no product module depends on
 * it.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts a single-node cluster and waits until its broker is ready. */
  public static EmbeddedKafka start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(nodes)
            // A single node cannot replicate internal topics three times.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            // Consumer groups start at once instead of waiting for more members.
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            // Model snapshots can be larger than Kafka's 1 MiB default.
            .setConfigProp("message.max.bytes", String.valueOf(64 * 1024 * 1024))
            .build();
    try {
      formatQuietly(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Formats the node's storage. Kafka's formatter prints the bootstrap metadata records to standard
   * output, which is the demo's report stream; they go to the debug log instead. The swap of {@code
   * System.out} lasts the few milliseconds of the format, at start-up.
   */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
      LOG.debug("Formatted the broker's storage: {}", printed.toString(StandardCharsets.UTF_8));
    }
  }

  /** The bootstrap address clients connect to. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
