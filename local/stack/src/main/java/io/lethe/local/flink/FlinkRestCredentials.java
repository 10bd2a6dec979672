package io.lethe.local.flink;

import io.lethe.job.FlinkRestClient;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.local.tls.StoreFile;
import io.lethe.local.tls.ThrowAwayCa;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.RestOptions;

/**
 * Mutual TLS on the REST endpoint of a Flink that a local stack starts: a throw-away CA, the
 * JobManager's server certificate (for {@code localhost} and {@code 127.0.0.1}), one client
 * certificate for Lethe's tools and the people who run the stack, and a Flink client configuration
 * directory ({@link #clientConfigDir()}, its {@code config.yaml} names the endpoint and the client
 * certificate) that Flink's own CLI reads through {@code FLINK_CONF_DIR}. Everything is readable by
 * its owner only.
 *
 * @param server the JobManager's side
 * @param client the clients' side
 * @param restUrl the endpoint, {@code https://127.0.0.1:<port>}
 * @param clientConfigDir the directory with the clients' {@code config.yaml}
 */
public record FlinkRestCredentials(
    FlinkRestTls server, FlinkRestTls client, String restUrl, Path clientConfigDir) {
  /** The Flink client configuration's file name in {@link #clientConfigDir()}. */
  public static final String CONFIG_FILE = "config.yaml";

  /** The client configuration directory's name in the credentials' directory. */
  public static final String CLIENT_CONFIG_DIR = "flink-client";

  /** The host the endpoint is reached by, one of the server certificate's names. */
  public static final String HOST = "127.0.0.1";

  /**
   * Issues the certificates into {@code dir} (a new CA each time, replacing what is there) and
   * writes the client configuration for the endpoint at {@code 127.0.0.1:restPort}.
   */
  public static FlinkRestCredentials issue(Path dir, int restPort) {
    ThrowAwayCa ca = ThrowAwayCa.create(dir, "Lethe Flink REST CA");
    StoreFile truststore = ca.truststore();
    StoreFile serverStore = ca.serverCertificate("flink-rest-server", List.of("localhost", HOST));
    StoreFile clientStore = ca.clientCertificate("flink-rest-client");
    FlinkRestTls server =
        new FlinkRestTls(
            serverStore.path(), serverStore.password(), truststore.path(), truststore.password());
    FlinkRestTls client =
        new FlinkRestTls(
            clientStore.path(), clientStore.password(), truststore.path(), truststore.password());
    Path configDir = dir.resolve(CLIENT_CONFIG_DIR);
    writeClientConfig(configDir, client, restPort);
    return new FlinkRestCredentials(server, client, "https://" + HOST + ":" + restPort, configDir);
  }

  /** A REST client that presents the client certificate. */
  public FlinkRestClient restClient() {
    return new FlinkRestClient(restUrl, client.sslContext());
  }

  private static void writeClientConfig(Path dir, FlinkRestTls client, int restPort) {
    List<String> lines = new ArrayList<>();
    lines.add("# Flink client configuration for Lethe's local Flink: its REST endpoint and the");
    lines.add("# client certificate it asks for. Use it with FLINK_CONF_DIR=" + dir);
    lines.add(RestOptions.ADDRESS.key() + ": " + quoted(HOST));
    lines.add(RestOptions.PORT.key() + ": " + restPort);
    for (Map.Entry<String, String> option : client.options().entrySet()) {
      lines.add(option.getKey() + ": " + quoted(option.getValue()));
    }
    lines.add("");
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path file = dir.resolve(CONFIG_FILE);
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Flink client configuration in " + dir, e);
    }
  }

  /** A YAML double-quoted scalar. */
  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public String toString() {
    return "FlinkRestCredentials[" + restUrl + ", client configuration in " + clientConfigDir + "]";
  }
}
