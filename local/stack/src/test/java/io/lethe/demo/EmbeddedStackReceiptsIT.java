package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.ingress.verify.VerifyReceiptMain;
import io.lethe.records.ErasureRequest;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.testing.Await;
import io.lethe.testing.TestRecords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The embedded stack of {@code lethe demo} signs its erasure receipts with its own key pair: the
 * receipts of a completed and of a rejected request, sent by the privacy principal, pass {@code
 * lethe verify-receipt} with the stack's public key, reading the receipts topic as that principal.
 */
class EmbeddedStackReceiptsIT {
  private static final Duration BOUND = Duration.ofSeconds(90);

  @Test
  void shouldSignReceiptsWithTheStacksKey() throws Exception {
    try (EmbeddedStack stack = TinyStack.start()) {
      ErasureRequest valid =
          ErasureRequest.newBuilder(TestRecords.erasureRequest("r-valid", "u-1"))
              .setDataset("tiny")
              .setModels(List.of("tiny-analytic"))
              .build();
      ErasureRequest invalid =
          ErasureRequest.newBuilder(TestRecords.erasureRequest("r-invalid", "u-2"))
              .setDataset("no-such-dataset")
              .build();
      // as a privacy system: it may write erasure requests and read receipts, nothing else
      Path privacy = stack.kafkaPrincipals().orElseThrow().file(Principal.PRIVACY);
      Properties props =
          KafkaClientConfig.load(privacy)
              .layerAsProperties(
                  stack.bootstrapServers(),
                  "receipts-test",
                  Map.of(ProducerConfig.ACKS_CONFIG, "all"));
      try (KafkaProducer<String, ErasureRequest> producer =
          new KafkaProducer<>(
              props,
              new StringSerializer(),
              stack.topics().erasuresRaw().valueSerde().serializer())) {
        String topic = stack.topics().erasuresRaw().name();
        producer.send(new ProducerRecord<>(topic, "u-1", valid)).get();
        producer.send(new ProducerRecord<>(topic, "u-2", invalid)).get();
      }

      awaitReceipts(stack, privacy, Set.of("r-valid", "r-invalid"));
      for (String request : List.of("r-valid", "r-invalid")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
            VerifyReceiptMain.run(
                new String[] {
                  "--trusted-keys", stack.signingPublicKey().toString(),
                  "--bootstrap", stack.bootstrapServers(),
                  "--registry", stack.registryUrl(),
                  "--kafka-config", privacy.toString(),
                  "--request-id", request
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(Cli.OK);
        assertThat(printed)
            .contains(
                "the receipt of erasure request '"
                    + request
                    + "' is signed by trusted key "
                    + stack.signingKeyId())
            .contains(request.equals("r-valid") ? "status:    COMPLETED" : "status:    REJECTED");
      }
    }
  }

  /**
   * Waits until {@code requests} have receipts on the topic, reading it as the privacy principal
   * (committed records only: the status endpoint may answer before the receipt is committed).
   */
  private static void awaitReceipts(EmbeddedStack stack, Path privacy, Set<String> requests) {
    Properties props =
        KafkaClientConfig.load(privacy)
            .layerAsProperties(
                stack.bootstrapServers(),
                "receipts-test",
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "lethe-privacy-test-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(stack.topics().receipts().name()));
      Await.until(
          "receipts for " + requests + " on " + stack.topics().receipts().name(),
          BOUND,
          () -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
            return seen.containsAll(requests);
          });
    }
  }
}
