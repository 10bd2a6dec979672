package io.lethe.local.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThrowAwayCaTest {
  @TempDir static Path tmp;

  private static ThrowAwayCa ca;
  private static StoreFile server;
  private static StoreFile client;
  private static ExecutorService pool;

  @BeforeAll
  static void issue() {
    ca = ThrowAwayCa.create(tmp.resolve("security"), "lethe-test-ca");
    server = ca.serverCertificate("test-server", List.of("localhost", "127.0.0.1"));
    client = ca.clientCertificate("test-client");
    pool = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  @Test
  void shouldCompleteAMutualTlsHandshakeWithTheClientCertificate() throws Exception {
    try (SSLServerSocket listener = listen()) {
      CompletableFuture<String> seen = accept(listener);
      try (SSLSocket socket = connect(listener, client)) {
        socket.startHandshake();
        socket.getOutputStream().write(42);
        socket.getOutputStream().flush();
        assertThat(socket.getInputStream().read()).isEqualTo(43);
      }
      assertThat(seen.get(30, TimeUnit.SECONDS)).contains("CN=test-client");
    }
  }

  @Test
  void shouldRefuseAClientWithoutACertificate() throws Exception {
    try (SSLServerSocket listener = listen()) {
      CompletableFuture<String> seen = accept(listener);
      try (SSLSocket socket = connect(listener, null)) {
        // under TLS 1.3 the client hears of the refusal only when it reads
        assertThatThrownBy(
                () -> {
                  socket.startHandshake();
                  socket.getOutputStream().write(42);
                  socket.getOutputStream().flush();
                  socket.getInputStream().read();
                })
            .isInstanceOf(IOException.class);
      }
      assertThatThrownBy(() -> seen.get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }

  @Test
  void shouldRefuseAClientCertificateOfAnotherCa() throws Exception {
    ThrowAwayCa other = ThrowAwayCa.create(tmp.resolve("other"), "someone-else");
    StoreFile stranger = other.clientCertificate("stranger");
    try (SSLServerSocket listener = listen()) {
      CompletableFuture<String> seen = accept(listener);
      try (SSLSocket socket = connect(listener, stranger)) {
        assertThatThrownBy(
                () -> {
                  socket.startHandshake();
                  socket.getOutputStream().write(42);
                  socket.getOutputStream().flush();
                  socket.getInputStream().read();
                })
            .isInstanceOf(IOException.class);
      }
      assertThatThrownBy(() -> seen.get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }

  @Test
  void shouldNameTheServerByItsHostNamesAndAddresses() throws Exception {
    X509Certificate certificate = (X509Certificate) server.load().getCertificate("test-server");
    assertThat(certificate.getSubjectAlternativeNames())
        .extracting(san -> (Object) san.get(1))
        .containsExactly("localhost", "127.0.0.1");
    assertThat(certificate.getIssuerX500Principal())
        .isEqualTo(ca.certificate().getSubjectX500Principal());
    certificate.verify(ca.certificate().getPublicKey());
    assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void shouldWriteEveryFileForItsOwnerOnly() throws IOException {
    StoreFile truststore = ca.truststore();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.directory())))
        .isEqualTo("rwx------");
    for (StoreFile store : List.of(server, client, truststore)) {
      for (Path file : List.of(store.path(), store.passwordFile())) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .as(file.toString())
            .isEqualTo("rw-------");
      }
      assertThat(store.password()).hasSizeGreaterThanOrEqualTo(32);
      assertThat(store.toString()).doesNotContain(store.password());
    }
    assertThat(server.password()).isNotEqualTo(client.password());
  }

  @Test
  void shouldRefuseANameThatIsNotAFileName() {
    assertThatThrownBy(() -> ca.clientCertificate("../escape"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'../escape' is not a certificate name: letters, digits, '.', '_' and '-'");
  }

  private static SSLServerSocket listen() throws Exception {
    SSLServerSocket listener =
        (SSLServerSocket)
            context(server)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    listener.setNeedClientAuth(true);
    return listener;
  }

  /** Accepts one connection, answers 42 with 43, and completes with the client's subject. */
  private static CompletableFuture<String> accept(SSLServerSocket listener) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (SSLSocket socket = (SSLSocket) listener.accept()) {
            socket.startHandshake();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int b = in.read();
            out.write(b + 1);
            out.flush();
            return socket.getSession().getPeerPrincipal().getName();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        pool);
  }

  private static SSLSocket connect(SSLServerSocket listener, StoreFile keystore) throws Exception {
    SSLSocket socket =
        (SSLSocket)
            context(keystore)
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(30_000);
    return socket;
  }

  /** Trusts the CA; presents {@code keystore}'s certificate if it is not null. */
  private static SSLContext context(StoreFile keystore) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(ca.truststore().load());
    KeyManagerFactory keys = null;
    if (keystore != null) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      KeyStore store = keystore.load();
      keys.init(store, keystore.password().toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }
}
