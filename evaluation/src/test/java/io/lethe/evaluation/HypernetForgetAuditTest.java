package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lethe.learners.data.SplitTaskStream;
import io.lethe.learners.hypernet.HypernetSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The membership test's AUC and the audit's option checks. */
class HypernetForgetAuditTest {

  @Test
  void shouldScoreLowerMemberLossesAsRecognisable() {
    assertThat(HypernetForgetAudit.membershipAuc(List.of(0.1, 0.2), List.of(0.3, 0.4, 0.5)))
        .isEqualTo(1.0);
    assertThat(HypernetForgetAudit.membershipAuc(List.of(0.6, 0.7), List.of(0.3, 0.4, 0.5)))
        .isEqualTo(0.0);
    assertThat(HypernetForgetAudit.membershipAuc(List.of(0.3, 0.3), List.of(0.3, 0.3)))
        .isEqualTo(0.5);
    // 0.2 beats 0.3 and 0.5 and loses to 0.1; 0.4 beats 0.5: 3 of 6 pairs
    assertThat(HypernetForgetAudit.membershipAuc(List.of(0.2, 0.4), List.of(0.1, 0.3, 0.5)))
        .isCloseTo(0.5, within(1e-12));
    // a tie counts half: 0.3 against {0.3, 0.5} is 1.5 of 2
    assertThat(HypernetForgetAudit.membershipAuc(List.of(0.3), List.of(0.3, 0.5)))
        .isCloseTo(0.75, within(1e-12));
    assertThat(HypernetForgetAudit.membershipAuc(List.of(), List.of(0.3))).isNaN();
  }

  @Test
  void shouldNameTheOptionOfABadAuditSize() {
    HypernetSettings settings = HypernetSettings.builder(784).build();
    SplitTaskStream.Options stream = SplitTaskStream.Options.fashionMnist(0, 64);
    assertThatThrownBy(() -> new HypernetForgetAudit.Options(settings, stream, 6, 100, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--audit-tasks is 6, expected 1..5");
    assertThatThrownBy(() -> new HypernetForgetAudit.Options(settings, stream, 2, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--erased-subjects is 0, expected at least 1");
  }
}
