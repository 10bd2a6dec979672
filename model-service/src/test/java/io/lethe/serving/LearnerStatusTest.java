package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.LearnerKind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the service derives a learner's status from its newest heartbeat, on a clock of its own. */
class LearnerStatusTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(10);

  /** 2 s heartbeats, 1 s checkpoints: stale after 3 * 2 + 1 + 10 = 17 s. */
  private static LearnerHeartbeat heartbeat(String model, Instant emittedAt) {
    return LearnerHeartbeat.newBuilder()
        .setModel(model)
        .setLearner(LearnerKind.ANALYTIC)
        .setEmittedAt(emittedAt)
        .setIntervalMs(2000)
        .setCommitIntervalMs(1000)
        .setSamplesLearned(300)
        .setVersion(4)
        .setLastLearnedAt(emittedAt.minusSeconds(5))
        .setSamplesBuffered(12)
        .build();
  }

  @Test
  void shouldBeUnknownBeforeAnyHeartbeat() {
    LearnerStatusTable table = new LearnerStatusTable(new TestClock(T0), GRACE);

    LearnerStatus status = table.status("m");

    assertThat(status.state()).isEqualTo(LearnerStatus.State.UNKNOWN);
    assertThat(status.state().label).isEqualTo("unknown");
    assertThat(status.newest()).isNull();
  }

  @Test
  void shouldBeRunningWhileTheNewestHeartbeatIsFresh() {
    TestClock clock = new TestClock(T0);
    LearnerStatusTable table = new LearnerStatusTable(clock, GRACE);
    table.offer(heartbeat("m", T0));

    clock.now = T0.plusSeconds(17); // exactly at the limit: still fresh
    LearnerStatus status = table.status("m");

    assertThat(status.state()).isEqualTo(LearnerStatus.State.RUNNING);
    assertThat(status.state().label).isEqualTo("running");
    assertThat(status.heartbeatAge()).isEqualTo(Duration.ofSeconds(17));
    assertThat(status.staleAfter()).isEqualTo(Duration.ofSeconds(17));
  }

  @Test
  void shouldBeNotRunningOnceTheNewestHeartbeatIsStale() {
    TestClock clock = new TestClock(T0);
    LearnerStatusTable table = new LearnerStatusTable(clock, GRACE);
    table.offer(heartbeat("m", T0));

    clock.now = T0.plusMillis(17_001);
    LearnerStatus status = table.status("m");

    assertThat(status.state()).isEqualTo(LearnerStatus.State.NOT_RUNNING);
    assertThat(status.state().label).isEqualTo("not-running");
    assertThat(status.heartbeatAge()).isEqualTo(Duration.ofMillis(17_001));
  }

  @Test
  void shouldKeepTheNewestHeartbeatWhateverOrderTheyArriveIn() {
    TestClock clock = new TestClock(T0.plusSeconds(20));
    LearnerStatusTable table = new LearnerStatusTable(clock, GRACE);
    table.offer(heartbeat("m", T0.plusSeconds(10)));
    table.offer(heartbeat("m", T0));

    assertThat(table.status("m").newest().getEmittedAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(table.status("m").state()).isEqualTo(LearnerStatus.State.RUNNING);
  }

  @Test
  void shouldTakeAHeartbeatFromAClockAheadAsJustEmitted() {
    LearnerStatusTable table = new LearnerStatusTable(new TestClock(T0), GRACE);
    table.offer(heartbeat("m", T0.plusSeconds(3)));

    assertThat(table.status("m").heartbeatAge()).isEqualTo(Duration.ZERO);
    assertThat(table.status("m").state()).isEqualTo(LearnerStatus.State.RUNNING);
  }

  @Test
  void shouldExportLearnerUpAndHeartbeatAgePerModel() {
    TestClock clock = new TestClock(T0);
    LearnerStatusTable table = new LearnerStatusTable(clock, GRACE);
    ServiceMetrics metrics = new ServiceMetrics();
    metrics.beforeScrape(() -> table.export(metrics, List.of()));
    table.offer(heartbeat("fresh", T0.minusSeconds(1)));
    table.offer(heartbeat("stale", T0.minusSeconds(30)));

    String scraped = new String(metrics.scrape(), StandardCharsets.UTF_8);

    assertThat(scraped)
        .contains("lethe_serving_learner_up{model=\"fresh\"} 1.0")
        .contains("lethe_serving_learner_up{model=\"stale\"} 0.0")
        .contains("lethe_serving_learner_heartbeat_age_seconds{model=\"fresh\"} 1.0")
        .contains("lethe_serving_learner_heartbeat_age_seconds{model=\"stale\"} 30.0");

    clock.now = T0.plusSeconds(20); // the fresh one goes stale between scrapes
    scraped = new String(metrics.scrape(), StandardCharsets.UTF_8);
    assertThat(scraped).contains("lethe_serving_learner_up{model=\"fresh\"} 0.0");
  }

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
