package io.lethe.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Connection, timeout and retry settings for a {@link SchemaRegistryClient}.
 *
 * @param baseUrl the registry's root URL, e.g. {@code http://127.0.0.1:8081}; a trailing slash is
 *     removed
 * @param connectTimeout how long to wait for a TCP connection
 * @param requestTimeout how long to wait for one response, per attempt
 * @param maxAttempts how many times one call is tried in total (1 means no retry)
 * @param initialBackoff the pause before the first retry; each further retry doubles it
 */
public record RegistryClientSettings(
    URI baseUrl,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration initialBackoff) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);

  public RegistryClientSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!baseUrl.isAbsolute()
        || !("http".equalsIgnoreCase(baseUrl.getScheme())
            || "https".equalsIgnoreCase(baseUrl.getScheme()))
        || baseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUrl '" + baseUrl + "' must be an absolute http or https URL with a host");
    }
    if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "baseUrl '" + baseUrl + "' must not have a query or fragment");
    }
    String text = baseUrl.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    baseUrl = URI.create(text);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("requestTimeout", requestTimeout);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ", must be at least 1");
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException(
          "initialBackoff is " + initialBackoff + ", must not be negative");
    }
  }

  /** Settings for {@code url} with the default timeouts and retries. */
  public static RegistryClientSettings of(String url) {
    Objects.requireNonNull(url, "url");
    final URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schema registry URL '" + url + "' is not a URI", e);
    }
    return new RegistryClientSettings(
        uri,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF);
  }

  /** A copy with a different per-attempt request timeout. */
  public RegistryClientSettings withRequestTimeout(Duration timeout) {
    return new RegistryClientSettings(
        baseUrl, connectTimeout, timeout, maxAttempts, initialBackoff);
  }

  /** A copy with a different retry policy. */
  public RegistryClientSettings withRetries(int attempts, Duration firstBackoff) {
    return new RegistryClientSettings(
        baseUrl, connectTimeout, requestTimeout, attempts, firstBackoff);
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " is " + value + ", must be positive");
    }
  }
}
