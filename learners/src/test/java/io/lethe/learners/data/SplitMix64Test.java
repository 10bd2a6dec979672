package io.lethe.learners.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

  @Test
  void shouldReproduceThePublishedSplitMix64Sequence() {
    // Reference outputs of splitmix64.c (Vigna) for seed 1234567.
    SplitMix64 random = new SplitMix64(1234567L);
    assertThat(random.nextLong()).isEqualTo(6457827717110365317L);
    assertThat(random.nextLong()).isEqualTo(3203168211198807973L);
    assertThat(random.nextLong()).isEqualTo(-8629252141511181193L);
  }

  @Test
  void shouldMatchTheJdkSplittableRandom() {
    SplitMix64 ours = new SplitMix64(42L);
    SplittableRandom jdk = new SplittableRandom(42L);
    for (int i = 0; i < 1000; i++) {
      assertThat(ours.nextLong()).isEqualTo(jdk.nextLong());
    }
    assertThat(new SplitMix64(7L).nextDouble()).isEqualTo(new SplittableRandom(7L).nextDouble());
  }
}
