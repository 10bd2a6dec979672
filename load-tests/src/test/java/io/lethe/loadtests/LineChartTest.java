package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineChartTest {

  @Test
  void shouldDrawTheSeriesIntoAPngOfTheRequestedSize(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chart.png");
    new LineChart("t", "x", "y")
        .add(new LineChart.Series("a", new double[] {0, 1, 2}, new double[] {1, 3, 2}, true))
        .write(file, 320, 200);

    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(200);
    int seriesColour = 0x1f77b4;
    boolean drawn = false;
    for (int x = 0; x < image.getWidth() && !drawn; x++) {
      for (int y = 0; y < image.getHeight() && !drawn; y++) {
        drawn = (image.getRGB(x, y) & 0xffffff) == seriesColour;
      }
    }
    assertThat(drawn).as("a pixel in the first series' colour").isTrue();
  }

  @Test
  void shouldRefuseASeriesWithUnequalLengths() {
    assertThatThrownBy(() -> new LineChart.Series("a", new double[2], new double[3], false))
        .hasMessage("series a has 2 x and 3 y values");
  }

  @Test
  void shouldTakeNearestRankPercentilesAndSkipMissingValues() {
    double[] values = new double[101];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    values[100] = Double.NaN;
    Map<String, Object> p = EndToEndBenchmark.percentiles(values);
    assertThat(p)
        .containsEntry("count", 100)
        .containsEntry("p50", 49.0)
        .containsEntry("p99", 98.0)
        .containsEntry("max", 99.0);
  }
}
