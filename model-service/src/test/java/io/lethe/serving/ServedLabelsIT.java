package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.ModelSnapshot;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real model on real data, served through a real broker: an analytic learner (the default buffer
 * width) learns part of Fashion-MNIST's training split, the service serves its snapshot, and all
 * 10,000 test images sent through Lethe's v1 API and through the Open Inference Protocol get
 * exactly the labels the learner itself predicts.
 */
class ServedLabelsIT {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String MODEL = "fmnist-analytic";

  /** Training images learned: enough for a real model, few enough for a short test. */
  private static final int LEARNED = 12_000;

  /** Images per request: the service's default limit is 1,024. */
  private static final int BATCH = 1_000;

  private static LabeledSet test;
  private static int[] learnerLabels;
  private static ModelService service;
  private static ServiceClient client;

  @BeforeAll
  static void start() {
    FashionMnist data = FashionMnist.load();
    test = data.test();
    String topic = KafkaExtension.uniqueTopicName("models");
    KAFKA.createTopic(topic);
    ModelSnapshot snapshot;
    try (AnalyticLearner learner =
        new AnalyticLearner(AnalyticSettings.defaults(42L, FashionMnist.FEATURES))) {
      LabeledSet train = data.train().select(IntStream.range(0, LEARNED).toArray());
      List<String> ids = IntStream.range(0, LEARNED).mapToObj(i -> "train-" + i).toList();
      learner.learn("all", ids, train.features(), train.labels());
      learnerLabels = learner.predict(test.features());
      snapshot = TestModels.snapshot(learner, MODEL, 1);
    }
    TestModels.publish(KAFKA, topic, snapshot);
    service = ModelService.start(TestModels.settings(KAFKA, topic));
    client = new ServiceClient(service.port());
    Await.until("the service is ready", BOUND, service::ready);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void shouldAnswerTheLearnersLabelsForEveryTestImageThroughBothApis() {
    int[] v1 = new int[test.size()];
    int[] v2 = new int[test.size()];
    for (int from = 0; from < test.size(); from += BATCH) {
      float[][] rows =
          Arrays.copyOfRange(test.features(), from, Math.min(from + BATCH, test.size()));

      ServiceClient.Reply predicted = client.predict(MODEL, null, rows);
      assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
      JsonNode predictions = predicted.json().get("predictions");
      for (int i = 0; i < rows.length; i++) {
        v1[from + i] = predictions.get(i).get("label").asInt();
      }

      ServiceClient.Reply inferred =
          client.post(
              "/v2/models/" + MODEL + "/infer",
              "{\"id\": \"batch-"
                  + from
                  + "\", \"inputs\": ["
                  + OpenInferenceApiTest.features("FP32", rows, false)
                  + "], \"outputs\": [{\"name\": \"label\"}]}");
      assertThat(inferred.status()).as(inferred.body()).isEqualTo(200);
      JsonNode answer = inferred.json();
      assertThat(answer.get("id").asText()).isEqualTo("batch-" + from);
      assertThat(answer.get("model_version").asText()).isEqualTo("1");
      JsonNode labels = answer.get("outputs").get(0).get("data");
      assertThat(labels.size()).isEqualTo(rows.length);
      for (int i = 0; i < rows.length; i++) {
        v2[from + i] = labels.get(i).asInt();
      }
    }

    assertThat(mismatches(v1)).as("v1 labels that differ from the learner's").isEmpty();
    assertThat(mismatches(v2)).as("v2 labels that differ from the learner's").isEmpty();
    // a real model, not a constant one
    long correct = IntStream.range(0, test.size()).filter(i -> v2[i] == test.labels()[i]).count();
    assertThat(correct).isGreaterThan(7_000);
  }

  private static List<Integer> mismatches(int[] served) {
    List<Integer> differ = new ArrayList<>();
    for (int i = 0; i < served.length; i++) {
      if (served[i] != learnerLabels[i]) {
        differ.add(i);
      }
    }
    return differ;
  }
}
