package io.lethe.job.rest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.SecurityOptions;

/**
 * Mutual TLS on Flink's REST endpoint ({@code security.ssl.rest.*}), one side of it: the
 * JobManager's key store holds the server certificate, a client's holds a client certificate, and
 * both trust the CA in the truststore. The same Flink options serve both sides, so a Flink client
 * configuration with these options is also what Flink's own CLI reads.
 *
 * <p>The passwords are Flink configuration values: they go into the configuration, never into
 * program arguments or logs. {@link #toString()} shows the paths only.
 *
 * @param keystore PKCS#12 key store with this side's certificate and key
 * @param keystorePassword its password, which also protects the key
 * @param truststore PKCS#12 truststore with the CA that signed the other side's certificate
 * @param truststorePassword its password
 */
public record FlinkRestTls(
    Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
  /** The key store type of both stores. */
  public static final String STORE_TYPE = "PKCS12";

  /** Checks that nothing is missing. */
  public FlinkRestTls {
    Objects.requireNonNull(keystore, SecurityOptions.SSL_REST_KEYSTORE.key());
    Objects.requireNonNull(keystorePassword, SecurityOptions.SSL_REST_KEYSTORE_PASSWORD.key());
    Objects.requireNonNull(truststore, SecurityOptions.SSL_REST_TRUSTSTORE.key());
    Objects.requireNonNull(truststorePassword, SecurityOptions.SSL_REST_TRUSTSTORE_PASSWORD.key());
  }

  /**
   * Flink's options for this side: REST over TLS with client authentication, the stores and their
   * passwords.
   */
  public Map<String, String> options() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(SecurityOptions.SSL_REST_ENABLED.key(), "true");
    options.put(SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED.key(), "true");
    options.put(SecurityOptions.SSL_REST_KEYSTORE.key(), keystore.toAbsolutePath().toString());
    options.put(SecurityOptions.SSL_REST_KEYSTORE_PASSWORD.key(), keystorePassword);
    options.put(SecurityOptions.SSL_REST_KEY_PASSWORD.key(), keystorePassword);
    options.put(SecurityOptions.SSL_REST_KEYSTORE_TYPE.key(), STORE_TYPE);
    options.put(SecurityOptions.SSL_REST_TRUSTSTORE.key(), truststore.toAbsolutePath().toString());
    options.put(SecurityOptions.SSL_REST_TRUSTSTORE_PASSWORD.key(), truststorePassword);
    options.put(SecurityOptions.SSL_REST_TRUSTSTORE_TYPE.key(), STORE_TYPE);
    return options;
  }

  /** {@code conf} with {@link #options()} set. */
  public Configuration applyTo(Configuration conf) {
    options().forEach(conf::setString);
    return conf;
  }

  /**
   * The REST TLS settings of a Flink configuration (e.g. a client's {@code config.yaml}), or empty
   * if it does not turn on REST TLS with client authentication.
   *
   * @throws IllegalArgumentException naming the option that is missing
   */
  public static Optional<FlinkRestTls> fromConfiguration(Configuration conf) {
    if (!conf.get(SecurityOptions.SSL_REST_ENABLED)
        || !conf.get(SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED)) {
      return Optional.empty();
    }
    return Optional.of(
        new FlinkRestTls(
            Path.of(required(conf, SecurityOptions.SSL_REST_KEYSTORE.key())),
            required(conf, SecurityOptions.SSL_REST_KEYSTORE_PASSWORD.key()),
            Path.of(required(conf, SecurityOptions.SSL_REST_TRUSTSTORE.key())),
            required(conf, SecurityOptions.SSL_REST_TRUSTSTORE_PASSWORD.key())));
  }

  private static String required(Configuration conf, String key) {
    String value = conf.getString(key, null);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          key + " is missing: it is needed with security.ssl.rest.authentication-enabled");
    }
    return value;
  }

  /**
   * A TLS context that presents this side's certificate and trusts the truststore's CA, for a JDK
   * {@code HttpClient} talking to the REST endpoint.
   *
   * @throws IllegalArgumentException naming the store that cannot be read
   */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(keystore, keystorePassword), keystorePassword.toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(truststore, truststorePassword));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use the key store " + keystore + " with the truststore " + truststore + ": " + e,
          e);
    }
  }

  private static KeyStore load(Path file, String password) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(STORE_TYPE);
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the key store " + file + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return "FlinkRestTls[keystore=" + keystore + ", truststore=" + truststore + "]";
  }
}
