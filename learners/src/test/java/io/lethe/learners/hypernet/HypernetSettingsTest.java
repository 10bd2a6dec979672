package io.lethe.learners.hypernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.refresh.RefreshSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypernetSettingsTest {

  @Test
  void shouldDefaultToPaperValues() {
    HypernetSettings settings = HypernetSettings.builder(784).build();

    assertThat(settings.taskEmbeddingDim()).isEqualTo(32);
    assertThat(settings.noiseDraws()).isEqualTo(10);
    assertThat(settings.firstEraseSteps()).isEqualTo(100);
    assertThat(settings.eraseStepDecay()).isEqualTo(0.9);
    assertThat(settings.learningRate()).isEqualTo(1e-3);
    assertThat(settings.clipNorm()).isEqualTo(1.0);
    assertThat(settings.refresh().enabled()).isFalse();
    assertThat(settings.architecture().targetParameterCount())
        .isEqualTo(784 * 100 + 100 + 100 * 100 + 100 + 100 * 2 + 2);
  }

  @Test
  void shouldNameSettingValueAndAllowedRangeInErrors() {
    assertThatThrownBy(() -> HypernetSettings.builder(784).optBeta(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hypernetwork.beta is -1, expected a finite number >= 0");
    assertThatThrownBy(() -> HypernetSettings.builder(0).build())
        .hasMessage("hypernetwork.inputs is 0, expected an integer >= 1");
    assertThatThrownBy(() -> HypernetSettings.builder(784).optTrunkHidden(List.of()).build())
        .hasMessage(
            "hypernetwork.trunk-hidden is empty, expected one or more integers >= 1 separated by"
                + " commas, e.g. 100,100");
    assertThatThrownBy(() -> HypernetSettings.builder(784).optEraseStepDecay(1.5).build())
        .hasMessage("hypernetwork.erase-step-decay is 1.5, expected a number in (0, 1]");
    assertThatThrownBy(() -> HypernetSettings.builder(784).optDevice("tpu").build())
        .hasMessage(
            "hypernetwork.device is tpu, expected a DJL device name: cpu, cpu(N), gpu or gpu(N)");
    assertThatThrownBy(() -> HypernetSettings.builder(784).optGamma(0).build())
        .hasMessage("hypernetwork.gamma is 0, expected a finite number > 0");
    assertThatThrownBy(() -> new RefreshSettings(true, 0, 1e-3, 1e-3, 1e-3, 1e-5, 16))
        .hasMessage("refresh-interval is 0, expected an integer >= 1");
    assertThatThrownBy(() -> new RefreshSettings(true, 1, 1e-3, 1e-3, 1e-3, 2, 16))
        .hasMessage("refresh-fisher-decay is 2, expected a number in [0, 1]");
  }
}
