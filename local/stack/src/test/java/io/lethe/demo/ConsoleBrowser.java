package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Lethe console in a real headless Chromium: Debian's {@code chromium} driven through its
 * {@code chromedriver} (both named explicitly, so Selenium downloads nothing), with a fresh profile
 * and no background networking. Opens the console with the token in the link's fragment, as the
 * demo's printed command does, and waits until the page shows its first data.
 */
final class ConsoleBrowser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriverService service;
  private final Path profile;
  private final WebDriver driver;
  private final WebDriverWait wait;
  private final long firstDataMillis;

  private ConsoleBrowser(String consoleUrl, String token) throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as(
            "the console test needs "
                + CHROMIUM
                + " and "
                + CHROMEDRIVER
                + ": install the Debian packages chromium and chromium-driver")
        .isTrue();
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    profile = Files.createTempDirectory("lethe-console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1400, 1150));
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    long started = System.nanoTime();
    driver.get(consoleUrl + "#token=" + token);
    wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
    firstDataMillis = (System.nanoTime() - started) / 1_000_000;
  }

  /** Opens {@code consoleUrl} with {@code token} in the fragment and waits for its first data. */
  static ConsoleBrowser open(String consoleUrl, String token) throws Exception {
    return new ConsoleBrowser(consoleUrl, token);
  }

  WebDriver driver() {
    return driver;
  }

  /**
   * The text of the models table's row of {@code model}, once it contains {@code expected} (the
   * page refreshes every few seconds).
   */
  String modelRow(String model, String expected) {
    By row = By.cssSelector("#models tr[data-model='" + model + "']");
    wait.until(d -> d.findElements(row).stream().anyMatch(r -> r.getText().contains(expected)));
    return driver.findElement(row).getText();
  }

  /** Searches the erasures for {@code query} and returns the row of {@code requestId}. */
  String searchErasure(String query, String requestId) {
    WebElement box = driver.findElement(By.id("query"));
    box.clear();
    box.sendKeys(query);
    driver.findElement(By.cssSelector("#search button")).click();
    By row = By.cssSelector("tr[data-request='" + requestId + "']");
    wait.until(
        d ->
            d.findElement(By.id("erasures-matched")).getText().contains("“" + query + "”")
                && !d.findElements(row).isEmpty());
    return driver.findElement(row).getText();
  }

  /**
   * The page's load as the browser measured it (Navigation Timing: DOMContentLoaded and load event
   * end, ms since navigation start) and until the first data was shown (WebDriver), printed.
   */
  String loadTime() {
    @SuppressWarnings("unchecked")
    Map<String, Object> timing =
        (Map<String, Object>)
            ((JavascriptExecutor) driver)
                .executeScript(
                    "const n = performance.getEntriesByType('navigation')[0];"
                        + " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};");
    String line =
        String.format(
            "console page: DOMContentLoaded %.0f ms, load %.0f ms (Navigation Timing), first data"
                + " shown %d ms after navigation started (WebDriver)",
            ((Number) timing.get("dcl")).doubleValue(),
            ((Number) timing.get("load")).doubleValue(),
            firstDataMillis);
    System.out.println(line);
    return line;
  }

  /** The page's visible text, which never shows a missing value as such. */
  String text() {
    String text = driver.findElement(By.tagName("body")).getText();
    assertThat(text).doesNotContain("undefined").doesNotContain("NaN").doesNotContain("null");
    return text;
  }

  /** Writes a screenshot of the whole page to {@code file}. */
  void screenshot(Path file) throws Exception {
    Number height =
        (Number)
            ((JavascriptExecutor) driver)
                .executeScript("return document.documentElement.scrollHeight;");
    // the window's frame takes a little of its height from the page
    driver.manage().window().setSize(new Dimension(1400, height.intValue() + 140));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  /** The browser console's warnings and errors so far (each entry is printed). */
  List<String> consoleProblems() {
    List<String> problems = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      System.out.println("browser console: " + entry.getLevel() + " " + entry.getMessage());
      if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
        problems.add(entry.getLevel() + " " + entry.getMessage());
      }
    }
    return problems;
  }

  @Override
  public void close() throws Exception {
    try {
      driver.quit();
    } finally {
      service.stop();
      try (var paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
