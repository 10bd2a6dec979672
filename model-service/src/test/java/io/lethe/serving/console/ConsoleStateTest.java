package io.lethe.serving.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What the console keeps: erasure states and search, dead-letter counts, held-out accuracy. */
class ConsoleStateTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static ErasureRequest request(String id, String subject) {
    return ErasureRequest.newBuilder()
        .setRequestId(id)
        .setScope(ErasureScope.SUBJECT)
        .setIds(List.of(subject))
        .setRequestedAt(T0)
        .setRequester("privacy")
        .build();
  }

  private static ErasureReceipt receipt(String id, ReceiptStatus status) {
    List<ModelErasure> models =
        status == ReceiptStatus.COMPLETED
            ? List.of(
                ModelErasure.newBuilder()
                    .setModel("m")
                    .setGuarantee(ErasureGuarantee.EXACT)
                    .setFirstVersionWithout(7L)
                    .setAppliedAt(T0.plusMillis(900))
                    .build())
            : List.of();
    return ErasureReceipt.newBuilder()
        .setRequestId(id)
        .setScope(ErasureScope.SUBJECT)
        .setRequester("privacy")
        .setStatus(status)
        .setReason(status == ReceiptStatus.REJECTED ? "unknown dataset" : null)
        .setModels(models)
        .setRequestedAt(T0)
        .setCompletedAt(T0.plusMillis(1200))
        .setLatencyMs(1200)
        .build();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> found(ErasureLog log, String query) {
    return (List<Map<String, Object>>) log.search(query).get("erasures");
  }

  @Test
  void shouldTrackEachErasureFromPendingToItsReceiptAndFindItByIdOrSubject() {
    ErasureLog log = new ErasureLog(10);
    log.requested(request("r-1", "u-1"));
    log.requested(request("r-2", "u-2"));
    // a receipt read before its request (two followers) keeps its state
    log.receipt(receipt("r-3", ReceiptStatus.REJECTED));
    log.receipt(receipt("r-2", ReceiptStatus.COMPLETED));
    log.requested(request("r-2", "u-2"));

    assertThat(log.counts())
        .containsEntry("pending", 1)
        .containsEntry("completed", 1)
        .containsEntry("rejected", 1);
    Map<String, Object> r2 = found(log, "r-2").get(0);
    assertThat(r2)
        .containsEntry("state", "completed")
        .containsEntry("subject", "u-2")
        .containsEntry("latency_ms", 1200L);
    assertThat(r2.get("models").toString()).contains("EXACT").contains("first_version_without=7");
    assertThat(found(log, "u-2")).extracting(e -> e.get("request_id")).containsExactly("r-2");
    assertThat(found(log, "u-")).isEmpty(); // a subject matches whole, a request id in part
    assertThat(found(log, ""))
        .extracting(e -> e.get("request_id"))
        .containsExactly("r-3", "r-2", "r-1");
  }

  @Test
  void shouldKeepOnlyTheNewestErasures() {
    ErasureLog log = new ErasureLog(3);
    for (int i = 0; i < 5; i++) {
      log.requested(request("r-" + i, "u-" + i));
    }
    assertThat(found(log, ""))
        .extracting(e -> e.get("request_id"))
        .containsExactly("r-4", "r-3", "r-2");
    assertThat(log.search("").get("kept")).isEqualTo(3);
  }

  @Test
  void shouldCountDeadLettersByComponentKindAndReasonFromTheHeaders() {
    DeadLetterCounts counts = new DeadLetterCounts();
    for (int i = 0; i < 3; i++) {
      counts.add(headers("ingress", "MALFORMED", "undecodable"), 1000 + i);
    }
    counts.add(headers("ingress", "INVALID", "wrong-feature-count"), 5000);
    counts.add(new RecordHeaders(), 6000);

    Map<String, Object> described = counts.describe();
    assertThat(described.get("total")).isEqualTo(5L);
    assertThat(described.get("by_reason").toString())
        .startsWith(
            "[{component=ingress, kind=MALFORMED, reason=undecodable, count=3, last_at=1002}")
        .contains("reason=wrong-feature-count, count=1")
        .contains("{component=unknown, kind=unknown, reason=unknown, count=1, last_at=6000}");
  }

  private static RecordHeaders headers(String component, String kind, String reason) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterCounts.COMPONENT, component.getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterCounts.KIND, kind.getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterCounts.REASON_CODE, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(
        "lethe.dlq.reason", "sample s-1 of subject u-1 ...".getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  @Test
  void shouldScoreAVersionOnlyOnTheHeldOutRowsOfClassesItHasLearned() {
    // class c is the one-hot feature c: classes 0 and 1 learned, rows of 0, 1 and 2 held out
    try (AnalyticLearner learner =
        new AnalyticLearner(AnalyticSettings.defaults(7L, 3).withBufferSize(32))) {
      learner.learn(
          "t0",
          List.of("a", "b", "c", "d"),
          new float[][] {{1, 0, 0}, {0, 1, 0}, {0.9f, 0.1f, 0}, {0.1f, 0.9f, 0}},
          new int[] {0, 1, 0, 1});
      try (Scorer scorer =
          Scorers.fromSnapshot(
              AnalyticSnapshots.encode(learner, new SnapshotHeader("m", 1, null, T0, List.of())))) {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          rows.add(new float[] {1, 0, 0});
          labels.add(0);
          rows.add(new float[] {0, 1, 0});
          labels.add(i < 8 ? 1 : 0); // two rows labelled wrong on purpose
          rows.add(new float[] {0, 0, 1});
          labels.add(2);
        }
        LabeledSet set =
            new LabeledSet(
                "held-out",
                rows.toArray(new float[0][]),
                labels.stream().mapToInt(Integer::intValue).toArray());

        HeldOutAccuracy.Result result = new HeldOutAccuracy(set, 1000).score(scorer);
        assertThat(result.rows()).isEqualTo(20);
        assertThat(result.accuracy()).isCloseTo(18 / 20.0, within(1e-12));
        // the first rows only
        assertThat(new HeldOutAccuracy(set, 3).score(scorer).rows()).isEqualTo(2);
      }
    }
  }
}
