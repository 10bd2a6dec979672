package io.lethe.demo;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.records.LearnerKind;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.serving.console.ConsoleSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The smallest embedded stack the stack tests run on: one analytic model of 4 features and 2
 * classes, a snapshot at most a second after a change, free ports, secured as by default.
 */
final class TinyStack {
  /** The one model. */
  static final String MODEL = "tiny-analytic";

  /** Its catalog: dataset {@code tiny} (4 features, 2 classes) and {@link #MODEL}. */
  static final ModelCatalog CATALOG =
      ModelCatalog.of(
          List.of(new DatasetSpec("tiny", 4, 2)),
          List.of(
              ModelSpec.of(MODEL, LearnerKind.ANALYTIC, "tiny")
                  .withSnapshot(
                      new SnapshotPolicy(1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                  .with(AnalyticSettings.BUFFER_SIZE, 16)
                  .with(AnalyticSettings.GAMMA, 0.1)
                  .with(AnalyticSettings.SEED, 7L)));

  private TinyStack() {}

  /** Starts the stack on free ports, with checkpoints every second. */
  static EmbeddedStack start() throws Exception {
    return EmbeddedStack.start(
        CATALOG,
        new EmbeddedStack.Ports(0, "dashboard", 0, "serve", 0, "ingress"),
        Duration.ofSeconds(1),
        System.out);
  }

  /** Starts the stack as {@link #start()} does, with the model service's console set up so. */
  static EmbeddedStack start(ConsoleSettings console) throws Exception {
    return EmbeddedStack.start(
        CATALOG,
        new EmbeddedStack.Ports(0, "dashboard", 0, "serve", 0, "ingress"),
        Duration.ofSeconds(1),
        System.out,
        KafkaSecurity.SECURED,
        console);
  }

  /**
   * Sends {@code count} samples of dataset {@code tiny} through the ingress as the producer
   * principal: subjects {@code u-0} to {@code u-4}, alternating labels; returns the producer's
   * properties, for a caller that sends more.
   */
  static Properties feed(EmbeddedStack stack, String clientId, int count) {
    Properties props =
        stack
            .clientConfig(Principal.PRODUCER)
            .layerAsProperties(
                stack.bootstrapServers(), clientId, Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    String topic = stack.topics().samplesRaw().name();
    try (KafkaProducer<String, TrainingSample> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), stack.topics().samplesRaw().valueSerde().serializer())) {
      for (int i = 0; i < count; i++) {
        List<Float> features = new ArrayList<>();
        for (int f = 0; f < 4; f++) {
          features.add((float) ((i * 7 + f * 3) % 11) / 11f);
        }
        TrainingSample sample =
            TrainingSample.newBuilder()
                .setSampleId("s-" + i)
                .setSubjectId("u-" + i % 5)
                .setDataset("tiny")
                .setTask("0")
                .setFeatures(features)
                .setLabel(i % 2)
                .setEventTime(Instant.now())
                .setAttributes(null)
                .build();
        producer.send(new ProducerRecord<>(topic, sample.getSubjectId(), sample));
      }
      producer.flush();
    }
    return props;
  }
}
