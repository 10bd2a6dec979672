package io.lethe.loadtests;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A small PNG chart of one or more series over a shared x axis (points, optionally joined), drawn
 * with Java2D so the benchmarks need no plotting library. Enough for "latency over time".
 */
public final class LineChart {
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();

  /** One named series of (x, y) points. */
  public record Series(String name, double[] x, double[] y, boolean joined) {
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series " + name + " has " + x.length + " x and " + y.length + " y values");
      }
    }
  }

  public LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Adds a series; returns this chart. */
  public LineChart add(Series s) {
    series.add(s);
    return this;
  }

  /** Draws the chart ({@code width} x {@code height} pixels) into a PNG file. */
  public void write(Path file, int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int left = 70;
    int right = width - 20;
    int top = 40;
    int bottom = height - 50;
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = 0;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        minX = Math.min(minX, s.x()[i]);
        maxX = Math.max(maxX, s.x()[i]);
        maxY = Math.max(maxY, s.y()[i]);
      }
    }
    if (minX > maxX) {
      minX = 0;
      maxX = 1;
    }
    if (maxX == minX) {
      maxX = minX + 1;
    }
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, left, 24);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int t = 0; t <= 5; t++) {
      double xv = minX + (maxX - minX) * t / 5;
      int px = left + (right - left) * t / 5;
      g.drawLine(px, bottom, px, bottom + 4);
      g.drawString(String.format("%.0f", xv), px - 10, bottom + 17);
      double yv = maxY * t / 5;
      int py = bottom - (bottom - top) * t / 5;
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, py, right, py);
      g.setColor(Color.BLACK);
      g.drawString(String.format(yv >= 10 ? "%.0f" : "%.1f", yv), 8, py + 4);
    }
    g.drawString(xLabel, (left + right) / 2 - 40, height - 12);
    g.drawString(yLabel, 8, top - 10);
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      g.setColor(COLORS[k % COLORS.length]);
      g.setStroke(new BasicStroke(1.5f));
      int lastX = -1;
      int lastY = -1;
      for (int i = 0; i < s.x().length; i++) {
        int px = left + (int) ((s.x()[i] - minX) / (maxX - minX) * (right - left));
        int py = bottom - (int) (s.y()[i] / maxY * (bottom - top));
        if (s.joined() && lastX >= 0) {
          g.drawLine(lastX, lastY, px, py);
        } else {
          g.fillOval(px - 2, py - 2, 4, 4);
        }
        lastX = px;
        lastY = py;
      }
      g.fillRect(right - 180, top + 6 + 16 * k, 10, 10);
      g.drawString(s.name(), right - 165, top + 15 + 16 * k);
    }
    g.dispose();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ImageIO.write(image, "png", file.toFile());
  }
}
