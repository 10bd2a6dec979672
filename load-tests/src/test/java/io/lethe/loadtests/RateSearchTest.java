package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class RateSearchTest {
  private static List<Integer> probed(RateSearch search, IntPredicate sustainable) {
    List<Integer> rates = new ArrayList<>();
    for (OptionalInt rate = search.next(); rate.isPresent(); rate = search.next()) {
      rates.add(rate.getAsInt());
      search.record(sustainable.test(rate.getAsInt()));
    }
    return rates;
  }

  @Test
  void shouldDoubleUntilARateFailsThenBisectToThePrecision() {
    RateSearch search = new RateSearch(500, 10, 0.1);

    assertThat(probed(search, rate -> rate <= 2_600))
        .containsExactly(500, 1_000, 2_000, 4_000, 3_000, 2_500, 2_750);
    assertThat(search.highestSustainable()).hasValue(2_500);
    assertThat(search.lowestUnsustainable()).hasValue(2_750);
  }

  @Test
  void shouldHalveWhileNoRateIsSustained() {
    RateSearch search = new RateSearch(2_000, 10, 0.1);

    assertThat(probed(search, rate -> rate <= 400))
        .containsExactly(2_000, 1_000, 500, 250, 375, 437, 406);
    assertThat(search.highestSustainable()).hasValue(375);
    assertThat(search.lowestUnsustainable()).hasValue(406);
  }

  @Test
  void shouldStopAtTheProbeLimitWithoutAnUpperBound() {
    RateSearch search = new RateSearch(1_000, 3, 0.1);

    assertThat(probed(search, rate -> true)).containsExactly(1_000, 2_000, 4_000);
    assertThat(search.highestSustainable()).hasValue(4_000);
    assertThat(search.lowestUnsustainable()).isEmpty();
  }
}
