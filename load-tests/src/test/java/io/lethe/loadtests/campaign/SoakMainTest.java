package io.lethe.loadtests.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SoakMainTest {
  @Test
  void shouldDefaultToThirtyMinutesWithAFaultEveryFour() {
    Soak.Options options = SoakMain.parse(new String[0]);
    assertThat(options.duration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(options.faultEvery()).isEqualTo(Duration.ofMinutes(4));
    assertThat(options.report()).isEqualTo(Path.of("soak-report.json"));
  }

  @Test
  void shouldNameTheOptionThatIsWrong() {
    assertThatThrownBy(() -> SoakMain.parse(new String[] {"--seed", "x"}))
        .hasMessage("Invalid value for option '--seed': 'x' is not a long");
    assertThatThrownBy(() -> SoakMain.parse(new String[] {"--fault-every", "soon"}))
        .hasMessageStartingWith("Invalid value for option '--fault-every': 'soon' is not");
    assertThatThrownBy(() -> SoakMain.parse(new String[] {"--durations", "3m"}))
        .hasMessageStartingWith("Unknown option");
  }

  @Test
  void shouldWriteTheTextReportNextToTheJson() {
    assertThat(Soak.textReport(Path.of("/tmp/r/soak.json"))).isEqualTo(Path.of("/tmp/r/soak.txt"));
    assertThat(Soak.textReport(Path.of("soak"))).isEqualTo(Path.of("soak.txt"));
  }

  @Test
  void shouldScaleTheCampaignToTheDuration() {
    CampaignPlan.Sizes ci = CampaignPlan.Sizes.ci(1024 * 1024);
    CampaignPlan.Sizes soak = CampaignPlan.Sizes.soak(1024 * 1024, Duration.ofMinutes(30));
    assertThat(soak.validSamples()).isEqualTo(6 * ci.validSamples());
    assertThat(soak.subjectErasures()).isEqualTo(6 * ci.subjectErasures());
    assertThat(soak.badRecords()).isGreaterThan(6 * 10_000);
    assertThat(soak.oversizedBytes()).isEqualTo(ci.oversizedBytes());
  }
}
