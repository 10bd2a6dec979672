package io.lethe.learners.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.refresh.RefreshSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingDefTest {
  private static final SettingDef<Integer> SIZE =
      SettingDef.integer("buffer-size", 2048, Bounds.atLeast(1), "width");
  private static final SettingDef<Double> DECAY =
      SettingDef.number("decay", 0.9, Bounds.openClosed(0, 1), "decay");

  @Test
  void shouldParseCheckAndFormatAValue() {
    assertThat(SIZE.parse("x.", " 64 ")).isEqualTo(64);
    assertThat(SIZE.format(64)).isEqualTo("64");
    assertThat(DECAY.format(1e-5)).isEqualTo("0.00001");
    assertThat(DECAY.parse("", DECAY.format(1e-5))).isEqualTo(1e-5);
    assertThat(SIZE.cliOption()).isEqualTo("--buffer-size");
    assertThat(SIZE.defaultText()).isEqualTo("2048");
  }

  @Test
  void shouldNameKeyValueAndBoundsInErrors() {
    assertThatThrownBy(() -> SIZE.parse("models[0].settings.", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("models[0].settings.buffer-size is '0', expected an integer >= 1");
    assertThatThrownBy(() -> SIZE.parse("", "big"))
        .hasMessage("buffer-size is 'big', expected an integer >= 1");
    assertThatThrownBy(() -> DECAY.validate("hypernetwork.", 0.0))
        .hasMessage("hypernetwork.decay is 0, expected a number in (0, 1]");
    assertThatThrownBy(() -> DECAY.parse("", "NaN"))
        .hasMessage("decay is 'NaN', expected a number in (0, 1]");
    assertThatThrownBy(() -> SIZE.validate("", null))
        .hasMessage("buffer-size is missing, expected an integer >= 1");
  }

  @Test
  void shouldRefuseAKeyThatIsNotKebabCase() {
    assertThatThrownBy(() -> SettingDef.integer("buffer_size", 1, Bounds.ANY, "x"))
        .hasMessage("setting key 'buffer_size' is not kebab-case");
    assertThatThrownBy(() -> SettingDef.integer("buffer.size", 1, Bounds.ANY, "x"))
        .hasMessage("setting key 'buffer.size' is not kebab-case");
  }

  @Test
  void shouldRefuseUnknownKeysAndFillDefaults() {
    SettingValues values = SettingValues.parse("m: ", List.of(SIZE, DECAY), Map.of("decay", "1"));
    assertThat(values.get(SIZE)).isEqualTo(2048);
    assertThat(values.get(DECAY)).isEqualTo(1.0);
    assertThat(values.asText()).isEqualTo(Map.of("decay", "1"));
    assertThatThrownBy(
            () -> SettingValues.parse("m: ", List.of(SIZE, DECAY), Map.of("buffer_size", "1")))
        .hasMessage("m: buffer_size is not a known setting; expected one of [buffer-size, decay]");
  }

  @Test
  void shouldDeclareEachSettingOfASettingsTypeUnderItsOwnKey() {
    for (List<SettingDef<?>> declared :
        List.of(AnalyticSettings.SETTINGS, HypernetSettings.SETTINGS, RefreshSettings.SETTINGS)) {
      Set<String> keys = new HashSet<>();
      for (SettingDef<?> setting : declared) {
        assertThat(keys.add(setting.key())).as("%s declared twice", setting.key()).isTrue();
        assertThat(setting.key()).matches(SettingDef.KEY);
        assertThat(setting.cliOption()).isEqualTo("--" + setting.key());
      }
    }
  }

  @Test
  void shouldRoundTripEveryLearnerSettingThroughItsTextForm() {
    AnalyticSettings analytic = AnalyticSettings.defaults(7, 30).withBufferSize(64);
    assertThat(
            AnalyticSettings.from(
                SettingValues.parse("", AnalyticSettings.SETTINGS, analytic.values().asText())))
        .isEqualTo(analytic);
    HypernetSettings hypernet =
        HypernetSettings.builder(20)
            .optTargetHidden(List.of())
            .optRefresh(RefreshSettings.enabledDefaults())
            .optLearningRate(2.5e-4)
            .build();
    assertThat(
            HypernetSettings.from(
                SettingValues.parse("", HypernetSettings.SETTINGS, hypernet.values().asText())))
        .isEqualTo(hypernet);
  }
}
