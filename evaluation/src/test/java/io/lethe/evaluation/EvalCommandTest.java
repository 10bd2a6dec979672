package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EvalCommandTest {

  @Test
  void shouldRejectAnUnknownLearner() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"perceptron", "--json", "x.json"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("unknown learner 'perceptron'; available: analytic, hypernet");
  }

  @Test
  void shouldRequireTheJsonOption() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"analytic", "--buffer-size", "64"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--json FILE is required");
  }

  @Test
  void shouldListTheHypernetworkOptionsInTheUsage() {
    org.assertj.core.api.Assertions.assertThat(EvalCommand.USAGE)
        .contains("lethe eval hypernet --json FILE", "--seed N", "--refresh on|off");
  }

  @Test
  void shouldRequireTheJsonOptionForTheHypernetwork() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"hypernet", "--seed", "1"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--json FILE is required");
  }

  @Test
  void shouldRejectARefreshValueOtherThanOnOrOff() {
    assertThatThrownBy(
            () ->
                EvalCommand.run(new String[] {"hypernet", "--json", "x.json", "--refresh", "yes"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--refresh takes on or off, not yes");
  }

  @Test
  void shouldNameTheOptionWhoseValueIsNotANumber() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"analytic", "--buffer-size", "big"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--buffer-size 'big' is not a number");
  }
}
