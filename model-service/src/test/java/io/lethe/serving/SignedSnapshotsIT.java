package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Tensor;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import io.lethe.schemas.snapshot.SnapshotSigner;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with trusted keys, against the real broker: a snapshot with a valid checksum but a
 * forged, missing or unknown signature is refused with its reason in the metrics while the current
 * version keeps serving; a properly signed one is served.
 */
class SignedSnapshotsIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();
  @TempDir static Path keys;

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String MODEL = "fmnist-analytic";

  private static String topic;
  private static AnalyticLearner learner;
  private static SnapshotSigner jobKey;
  private static SnapshotSigner otherKey;
  private static ModelService service;
  private static ServiceClient client;

  @BeforeAll
  static void start() {
    topic = KafkaExtension.uniqueTopicName("signed-models");
    KAFKA.createTopic(
        topic,
        1,
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES)));
    SigningKeys.GeneratedKeys job = SigningKeys.generate(keys.resolve("job"));
    SigningKeys.GeneratedKeys other = SigningKeys.generate(keys.resolve("other"));
    jobKey = SnapshotSigner.fromFile(job.privateKey());
    otherKey = SnapshotSigner.fromFile(other.privateKey());
    learner = TestModels.analytic();
    service =
        ModelService.start(
            TestModels.settings(KAFKA, topic).withTrustedKeys(List.of(job.publicKey())));
    client = new ServiceClient(service.port());
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (learner != null) {
      learner.close();
    }
  }

  @Test
  void shouldServeOnlySnapshotsSignedByATrustedKey() {
    TestModels.learn(learner, "first", 40, 1L);
    publish(signed(TestModels.snapshot(learner, MODEL, 1), jobKey));
    Await.until("the signed v1 is served", BOUND, () -> client.version(MODEL) == 1);

    TestModels.learn(learner, "second", 40, 2L);
    // unsigned, with a valid checksum
    publish(TestModels.snapshot(learner, MODEL, 2));
    // signed by the job's key, then its weights changed and its checksum recomputed: a forgery
    ModelSnapshot forged = signed(TestModels.snapshot(learner, MODEL, 3), jobKey);
    Tensor head = forged.getTensors().get(0);
    byte[] bytes = new byte[head.getData().remaining()];
    head.getData().duplicate().get(bytes);
    bytes[bytes.length / 2] ^= 0x01;
    head.setData(ByteBuffer.wrap(bytes));
    forged.setChecksum(SnapshotChecksum.compute(forged));
    assertThat(SnapshotChecksum.verify(forged)).isTrue();
    publish(forged);
    // validly signed, but by a key the service does not trust
    publish(signed(TestModels.snapshot(learner, MODEL, 4), otherKey));
    // a marker after them on the same partition: once it is served, the three were handled
    publish(signed(TestModels.snapshot(learner, "marker", 1), jobKey));
    Await.until("the marker is served", BOUND, () -> client.version("marker") == 1);

    assertThat(client.version(MODEL)).isEqualTo(1);
    assertThat(client.predict(MODEL, null, TestModels.rows(1, 7L)).json().get("version").asLong())
        .isEqualTo(1);
    String metrics = client.get("/metrics").body();
    for (String reason : List.of("unsigned", "bad_signature", "unknown_key")) {
      assertThat(metrics)
          .contains(
              "lethe_serving_snapshots_refused_total{model=\""
                  + MODEL
                  + "\",reason=\""
                  + reason
                  + "\"} 1.0");
    }
    assertThat(metrics)
        .contains("lethe_serving_snapshots_loaded_total{model=\"" + MODEL + "\"} 1.0");

    publish(signed(TestModels.snapshot(learner, MODEL, 5), jobKey));
    Await.until("the signed v5 is served", BOUND, () -> client.version(MODEL) == 5);
    assertThat(client.get("/v1/models/" + MODEL).json().get("signing_key_id").asText())
        .isEqualTo(jobKey.keyId());
  }

  private static ModelSnapshot signed(ModelSnapshot snapshot, SnapshotSigner signer) {
    signer.sign(snapshot);
    return snapshot;
  }

  private static void publish(ModelSnapshot snapshot) {
    TestModels.publish(KAFKA, topic, snapshot);
  }
}
