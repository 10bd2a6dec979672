package io.lethe.loadtests.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.loadtests.campaign.FaultSchedule.Kind;
import io.lethe.loadtests.campaign.FaultSchedule.Planned;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SoakScheduleTest {
  @Test
  void shouldSpreadRecordsEvenlyOverTheSpan() {
    Duration span = Duration.ofMinutes(30);
    assertThat(Pacing.sendAt(0, 3, span)).isZero();
    assertThat(Pacing.sendAt(1, 3, span)).isEqualTo(Duration.ofMinutes(10));
    assertThat(Pacing.sendAt(2, 3, span)).isEqualTo(Duration.ofMinutes(20));
    assertThat(Pacing.sendAt(81_999, 82_000, span)).isLessThan(span);
    assertThatThrownBy(() -> Pacing.sendAt(3, 3, span)).hasMessage("record 3 of 3");
  }

  @Test
  void shouldParseDurationsAndNameTheOptionOfABadOne() {
    assertThat(Pacing.parseDuration("--duration", "30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Pacing.parseDuration("--duration", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Pacing.parseDuration("--duration", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Pacing.parseDuration("--duration", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> Pacing.parseDuration("--fault-every", "0m"))
        .hasMessage(
            "option --fault-every is '0m', expected a positive duration such as 30m, 90s, 1h or"
                + " 500ms");
    assertThatThrownBy(() -> Pacing.parseDuration("--duration", "30")).hasMessageContaining("30");
  }

  @Test
  void shouldAlternateFaultsStrictlyInsideTheRun() {
    assertThat(FaultSchedule.plan(Duration.ofMinutes(30), Duration.ofMinutes(4)))
        .extracting(Planned::at, Planned::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(4), Kind.TASK_MANAGER_KILL),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(8), Kind.BROKER_RESTART),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(12), Kind.TASK_MANAGER_KILL),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(16), Kind.BROKER_RESTART),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(20), Kind.TASK_MANAGER_KILL),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(24), Kind.BROKER_RESTART),
            org.assertj.core.groups.Tuple.tuple(Duration.ofMinutes(28), Kind.TASK_MANAGER_KILL));
    assertThat(FaultSchedule.plan(Duration.ofMinutes(3), Duration.ofMinutes(3))).isEmpty();
  }
}
