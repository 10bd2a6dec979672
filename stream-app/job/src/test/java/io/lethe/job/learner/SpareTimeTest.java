package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The spare time of a tick, from readings given by the test. */
class SpareTimeTest {
  private static final long MS = 1_000_000L;

  /** Readings the test moves by hand. */
  private static final class Readings implements SpareTime.Readings {
    long now;
    long threadCpu;
    double load;
    int loadReads;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public long threadCpuNanos() {
      return threadCpu;
    }

    @Override
    public double machineCpuLoad() {
      loadReads++;
      return load;
    }

    @Override
    public int cores() {
      return 2;
    }
  }

  @Test
  void shouldCountOnlyTimeTheThreadDidNotSpendOnRecords() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    readings.threadCpu += 70 * MS;
    readings.load = 0.4;

    IdleTick tick = spare.tick(true);

    assertThat(tick.elapsedNanos()).isEqualTo(100 * MS);
    assertThat(tick.spareNanos()).isEqualTo(30 * MS);
    assertThat(tick.budgetNanos(0.5)).as("the spare 30 ms, under half the tick").isEqualTo(30 * MS);
    assertThat(tick.budgetNanos(0.2)).as("the share caps it").isEqualTo(20 * MS);
  }

  @Test
  void shouldLeaveNoTimeWhileEveryCoreIsBusy() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    readings.threadCpu += 5 * MS;
    readings.load = 1.0;

    IdleTick tick = spare.tick(true);

    assertThat(tick.spareNanos()).as("the thread waited, but no core was free").isZero();
    assertThat(tick.budgetNanos(0.5)).isZero();
  }

  @Test
  void shouldBoundTheSpareTimeByTheMachinesFreeCores() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    readings.load = 0.9; // 2 cores: a fifth of one core free

    assertThat(spare.tick(true).spareNanos()).isEqualTo(20 * MS);
  }

  @Test
  void shouldGiveTheWholeTickWhenNoInputCame() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    readings.threadCpu += 90 * MS;
    readings.load = 1.0;

    assertThat(spare.tick(false).budgetNanos(0.5)).isEqualTo(100 * MS);
  }

  @Test
  void shouldMeasureTheNextTickFromTheEndOfTheSteps() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    spare.tick(true);
    // the steps: 40 ms of the thread's CPU that the next tick must not count as busy
    readings.now += 40 * MS;
    readings.threadCpu += 40 * MS;
    int loadReadsBefore = readings.loadReads;
    spare.stepsDone();
    assertThat(readings.loadReads)
        .as("the load interval restarts after the steps")
        .isGreaterThan(loadReadsBefore);
    readings.now += 100 * MS;
    readings.threadCpu += 10 * MS;

    IdleTick next = spare.tick(true);

    assertThat(next.elapsedNanos()).isEqualTo(100 * MS);
    assertThat(next.spareNanos()).isEqualTo(90 * MS);
  }

  @Test
  void shouldUseTheThreadAloneWhenTheLoadIsUnknown() {
    Readings readings = new Readings();
    SpareTime spare = new SpareTime(readings);
    readings.now += 100 * MS;
    readings.threadCpu += 25 * MS;
    readings.load = -1;

    assertThat(spare.tick(true).spareNanos()).isEqualTo(75 * MS);
  }
}
