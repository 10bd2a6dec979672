package io.lethe.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Connection, credential, timeout and retry settings for a {@link SchemaRegistryClient}. {@link
 * #fromProperties} reads them from Confluent's client property names.
 *
 * @param baseUrl the registry's root URL, e.g. {@code http://127.0.0.1:8081}; a trailing slash is
 *     removed
 * @param connectTimeout how long to wait for a TCP connection
 * @param requestTimeout how long to wait for one response, per attempt
 * @param maxAttempts how many times one call is tried in total (1 means no retry)
 * @param initialBackoff the pause before the first retry; each further retry doubles it
 * @param authorization the value of the {@code Authorization} header sent with every request
 *     ({@code Basic ...} or {@code Bearer ...}), or null for none; {@link #toString} hides it
 * @param sslContext the TLS context for an {@code https} registry (its truststore, and a keystore
 *     for mutual TLS), or null for the JDK's default
 */
public record RegistryClientSettings(
    URI baseUrl,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration initialBackoff,
    String authorization,
    SSLContext sslContext) {

  /** Confluent's name of the registry URL. */
  public static final String URL = "schema.registry.url";

  /** Where HTTP basic credentials come from: {@code USER_INFO} or {@code URL} (the default). */
  public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";

  /** {@code user:password} for {@code basic.auth.credentials.source=USER_INFO}. */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

  /** Where a bearer token comes from: {@code STATIC_TOKEN} only. */
  public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";

  /** The token for {@code bearer.auth.credentials.source=STATIC_TOKEN}. */
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

  /** The prefix of the registry's TLS settings, followed by Kafka's {@code ssl.*} names. */
  public static final String SSL_PREFIX = "schema.registry.ssl.";

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);

  public RegistryClientSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (baseUrl.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "baseUrl must not carry credentials; pass them as the authorization header");
    }
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

  /** Settings without credentials and with the JDK's default TLS context. */
  public RegistryClientSettings(
      URI baseUrl,
      Duration connectTimeout,
      Duration requestTimeout,
      int maxAttempts,
      Duration initialBackoff) {
    this(baseUrl, connectTimeout, requestTimeout, maxAttempts, initialBackoff, null, null);
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
        baseUrl, connectTimeout, timeout, maxAttempts, initialBackoff, authorization, sslContext);
  }

  /** A copy with a different retry policy. */
  public RegistryClientSettings withRetries(int attempts, Duration firstBackoff) {
    return new RegistryClientSettings(
        baseUrl, connectTimeout, requestTimeout, attempts, firstBackoff, authorization, sslContext);
  }

  /**
   * Settings from Confluent's client properties, as a Kafka client properties file holds them:
   *
   * <ul>
   *   <li>{@code schema.registry.url}, unless {@code url} is given (one URL);
   *   <li>{@code basic.auth.credentials.source=USER_INFO} with {@code basic.auth.user.info=
   *       user:password}, or {@code URL} (the default) with the credentials in the URL, for HTTP
   *       basic authentication;
   *   <li>{@code bearer.auth.credentials.source=STATIC_TOKEN} (the default) with {@code
   *       bearer.auth.token}, for a bearer token (not with basic authentication);
   *   <li>{@code schema.registry.ssl.truststore.location}, {@code .password} and {@code .type}
   *       (default JKS) for the registry's certificate, and {@code
   *       schema.registry.ssl.keystore.location}, {@code .password}, {@code .type} and {@code
   *       schema.registry.ssl.key.password} for mutual TLS.
   * </ul>
   *
   * Other keys are ignored (the file also configures Kafka clients).
   *
   * @param url the registry URL from the command line, or null to take {@code schema.registry.url}
   * @throws IllegalArgumentException naming the key, its value (never a secret one) and what is
   *     allowed
   */
  public static RegistryClientSettings fromProperties(String url, Map<String, String> properties) {
    Objects.requireNonNull(properties, "properties");
    String given = url != null ? url : properties.get(URL);
    if (given == null || given.isBlank()) {
      throw new IllegalArgumentException(
          "no schema registry URL: give --registry or " + URL + " in the client properties");
    }
    if (url == null && given.contains(",")) {
      throw new IllegalArgumentException(
          URL + " is '" + given + "', a list; Lethe's registry client takes one URL");
    }
    URI uri;
    try {
      uri = URI.create(given.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schema registry URL '" + given + "' is not a URI", e);
    }
    String urlUserInfo = uri.getRawUserInfo();
    if (urlUserInfo != null) {
      try {
        uri =
            new URI(
                uri.getScheme(),
                null,
                uri.getHost(),
                uri.getPort(),
                uri.getPath(),
                uri.getQuery(),
                uri.getFragment());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("schema registry URL is not a URI", e);
      }
      urlUserInfo = URLDecoder.decode(urlUserInfo, StandardCharsets.UTF_8);
    }
    String basic = basicUserInfo(properties, urlUserInfo);
    String bearer = bearerToken(properties);
    if (basic != null && bearer != null) {
      throw new IllegalArgumentException(
          "the client properties configure both HTTP basic ("
              + BASIC_AUTH_SOURCE
              + ") and a bearer token ("
              + BEARER_AUTH_SOURCE
              + ") for the schema registry; set one");
    }
    String authorization =
        basic != null
            ? "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8))
            : bearer != null ? "Bearer " + bearer : null;
    return new RegistryClientSettings(
        uri,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF,
        authorization,
        sslContext(properties));
  }

  private static String basicUserInfo(Map<String, String> properties, String urlUserInfo) {
    String source = properties.getOrDefault(BASIC_AUTH_SOURCE, "URL").strip();
    String userInfo =
        switch (source.toUpperCase(Locale.ROOT)) {
          case "USER_INFO" -> {
            String info = properties.get(BASIC_AUTH_USER_INFO);
            if (info == null || info.isBlank()) {
              throw new IllegalArgumentException(
                  BASIC_AUTH_SOURCE
                      + " is USER_INFO but "
                      + BASIC_AUTH_USER_INFO
                      + " (user:password) is missing");
            }
            yield info.strip();
          }
          case "URL" -> urlUserInfo;
          default ->
              throw new IllegalArgumentException(
                  BASIC_AUTH_SOURCE
                      + " is '"
                      + source
                      + "'; Lethe's registry client supports USER_INFO and URL");
        };
    if (userInfo != null && !userInfo.contains(":")) {
      throw new IllegalArgumentException(
          "the schema registry's basic credentials must be user:password (no ':' found)");
    }
    return userInfo;
  }

  private static String bearerToken(Map<String, String> properties) {
    String source = properties.get(BEARER_AUTH_SOURCE);
    String token = properties.get(BEARER_AUTH_TOKEN);
    if (source == null && token == null) {
      return null;
    }
    if (source != null && !"STATIC_TOKEN".equalsIgnoreCase(source.strip())) {
      throw new IllegalArgumentException(
          BEARER_AUTH_SOURCE
              + " is '"
              + source
              + "'; Lethe's registry client supports STATIC_TOKEN");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(
          BEARER_AUTH_SOURCE + " is STATIC_TOKEN but " + BEARER_AUTH_TOKEN + " is missing");
    }
    return token.strip();
  }

  private static SSLContext sslContext(Map<String, String> properties) {
    String truststore = properties.get(SSL_PREFIX + "truststore.location");
    String keystore = properties.get(SSL_PREFIX + "keystore.location");
    if (truststore == null && keystore == null) {
      return null;
    }
    try {
      TrustManagerFactory trust = null;
      if (truststore != null) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore(properties, "truststore"));
      }
      KeyManagerFactory keys = null;
      if (keystore != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword =
            properties.getOrDefault(
                SSL_PREFIX + "key.password",
                properties.getOrDefault(SSL_PREFIX + "keystore.password", ""));
        keys.init(keyStore(properties, "keystore"), keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keys == null ? null : keys.getKeyManagers(),
          trust == null ? null : trust.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS for the schema registry from " + SSL_PREFIX + "*: " + e, e);
    }
  }

  /** The {@code truststore} or {@code keystore} that the {@code schema.registry.ssl.} keys name. */
  private static KeyStore keyStore(Map<String, String> properties, String which) {
    Path location = Path.of(properties.get(SSL_PREFIX + which + ".location").strip());
    String type = properties.getOrDefault(SSL_PREFIX + which + ".type", "JKS").strip();
    String password = properties.get(SSL_PREFIX + which + ".password");
    try (InputStream in = Files.newInputStream(location)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read "
              + SSL_PREFIX
              + which
              + ".location "
              + location
              + " as a "
              + type
              + " "
              + which
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Whether requests carry an {@code Authorization} header. */
  public boolean authenticates() {
    return authorization != null;
  }

  /** The settings without the credential's value. */
  @Override
  public String toString() {
    return "RegistryClientSettings[baseUrl="
        + baseUrl
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", authorization="
        + (authorization == null
            ? "none"
            : authorization.substring(0, authorization.indexOf(' ')) + " [hidden]")
        + ", tls="
        + (sslContext == null ? "default" : "configured")
        + "]";
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " is " + value + ", must be positive");
    }
  }
}
