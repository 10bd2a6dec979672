package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code lethe bench}'s learned/s, from the committed snapshots seen in a window. */
class LearnedRateTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void shouldGiveTheRateOfSnapshotsSeenAtTheirCadence() {
    List<long[]> snapshots =
        List.of(
            new long[] {0, 1_000}, new long[] {2 * SECOND, 5_000}, new long[] {4 * SECOND, 9_000});

    assertThat(EndToEndBenchmark.learnedPerSecond(snapshots, 0, 10 * SECOND))
        .isCloseTo(2_000, within(1e-6));
  }

  @Test
  void shouldNotTakeSnapshotsSeenTogetherForAHugeRate() {
    // a backlogged reader sees two snapshots in one poll, a microsecond apart, then one more
    List<long[]> snapshots =
        List.of(
            new long[] {10 * SECOND, 0},
            new long[] {10 * SECOND + 1_000, 4_000},
            new long[] {20 * SECOND, 4_000});

    assertThat(EndToEndBenchmark.learnedPerSecond(snapshots, 0, 30 * SECOND)).isLessThan(400.0);
  }

  @Test
  void shouldKeepOnlyTheWindowAndNeedTwoDistinctTimes() {
    List<long[]> snapshots = List.of(new long[] {SECOND, 10}, new long[] {5 * SECOND, 90});

    assertThat(EndToEndBenchmark.learnedPerSecond(snapshots, 2 * SECOND, 10 * SECOND)).isNull();
    assertThat(EndToEndBenchmark.learnedPerSecond(List.of(), 0, SECOND)).isNull();
  }
}
