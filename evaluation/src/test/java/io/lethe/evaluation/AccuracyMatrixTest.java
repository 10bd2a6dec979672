package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyMatrixTest {

  @Test
  void shouldComputeAverageAccuracyBackwardTransferAndForgetting() {
    AccuracyMatrix matrix =
        new AccuracyMatrix(
            List.of("0", "1", "2"),
            List.of(List.of(0.9, 0.0, 0.0), List.of(0.8, 0.95, 0.0), List.of(0.7, 0.85, 0.99)));
    assertThat(matrix.averageAccuracy()).isCloseTo((0.7 + 0.85 + 0.99) / 3, within(1e-12));
    assertThat(matrix.backwardTransfer())
        .isCloseTo(((0.7 - 0.9) + (0.85 - 0.95)) / 2, within(1e-12));
    assertThat(matrix.forgetting()).isCloseTo(((0.9 - 0.7) + (0.95 - 0.85)) / 2, within(1e-12));
  }

  @Test
  void shouldReportNoTransferForASingleTask() {
    AccuracyMatrix matrix = new AccuracyMatrix(List.of("0"), List.of(List.of(0.5)));
    assertThat(matrix.backwardTransfer()).isZero();
    assertThat(matrix.forgetting()).isZero();
  }
}
