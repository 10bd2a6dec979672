package io.lethe.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The local cluster's settings: errors name the option; they survive the state directory. */
class ClusterSettingsTest {
  private final ClusterSettings defaults = ClusterSettings.defaults("flink.jar", "services.jar");

  @Test
  void shouldNameTheOptionOfABadSetting() {
    assertThatThrownBy(() -> defaults.withTaskManagers(1, 0, "2g"))
        .hasMessage("--slots is 0, expected at least 1");
    assertThatThrownBy(() -> defaults.withTaskManagers(1, 2, "2 GB"))
        .hasMessage("--tm-memory is '2 GB', expected a size like 1024m or 2g");
    assertThatThrownBy(() -> defaults.withPorts(8281, 6223, 0, 9293, 8282))
        .hasMessage("--kafka-port is 0, expected 1 to 65535");
    assertThatThrownBy(() -> defaults.withServicePorts(70_000, 8290, 9270))
        .hasMessage("--serve-port is 70000, expected 1 to 65535");
    assertThatThrownBy(() -> defaults.withServicePorts(8280, 8290, 65_520))
        .hasMessage(
            "--metrics-port is 65520, expected 1 to 65515 (the TaskManagers' reporters take the"
                + " ports above it)");
    assertThatThrownBy(() -> ClusterSettings.defaults(" ", "services.jar"))
        .hasMessageStartingWith("--flink-classpath is empty");
  }

  @Test
  void shouldRoundTripThroughProperties() {
    ClusterSettings settings =
        defaults.withTaskManagers(3, 4, "1536m").withServicePorts(18280, 18290, 19270);
    assertThat(ClusterSettings.fromProperties(settings.toProperties())).isEqualTo(settings);
  }
}
