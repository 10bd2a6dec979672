package io.lethe.learners.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EvalCommandTest {

  @Test
  void shouldRejectAnUnknownLearner() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"hypernet", "--json", "x.json"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("unknown learner 'hypernet'; available: analytic");
  }

  @Test
  void shouldRequireTheJsonOption() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"analytic", "--buffer-size", "64"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--json FILE is required");
  }

  @Test
  void shouldNameTheOptionWhoseValueIsNotANumber() {
    assertThatThrownBy(() -> EvalCommand.run(new String[] {"analytic", "--buffer-size", "big"}))
        .isInstanceOf(EvalCommand.UsageException.class)
        .hasMessage("--buffer-size 'big' is not a number");
  }
}
