package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.events.RawRecord;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.learner.Heartbeats;
import io.lethe.schemas.registry.RegistryConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The job's stream graph, built but not run. */
class LearnerJobGraphTest {
  private static final ModelCatalog CATALOG =
      ModelCatalog.parse(
          """
          datasets:
            - {name: d, features: 2, classes: 3}
          models:
            - {name: analytic, learner: analytic, dataset: d}
          """,
          "test");

  /**
   * Savepoints restore state by operator uid: the uids of the operators that keep state never
   * change, and an operator added later (the request-id guard) only adds one. Operators without a
   * uid (the scope filters) keep no state, so the ids Flink generates for them may change.
   */
  @Test
  void shouldKeepTheUidOfEveryStatefulOperatorAndAddTheRequestIdGuard() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DataStream<RawRecord> samples = env.fromData(TypeInformation.of(RawRecord.class), raw());
    DataStream<RawRecord> erasures = env.fromData(TypeInformation.of(RawRecord.class), raw());
    LearnerJob.build(
            samples,
            erasures,
            CATALOG,
            new CatalogLearners(),
            RegistryConnection.of("http://localhost:1"),
            16,
            Duration.ofDays(7),
            Duration.ofDays(7),
            new Heartbeats(Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .sinkTo(new DiscardingSink<>());

    Set<String> uids =
        env.getStreamGraph().getStreamNodes().stream()
            .map(StreamNode::getTransformationUID)
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());

    assertThat(uids)
        .containsExactlyInAnyOrder(
            "decode-samples",
            "decode-erasures",
            "request-id-guard",
            "erasure-ledger",
            "route-task-erasures",
            "learner");
  }

  private static RawRecord raw() {
    return new RawRecord("t", 0, 0, 0, null, new byte[0]);
  }
}
