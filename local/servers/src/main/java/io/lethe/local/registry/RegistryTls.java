package io.lethe.local.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS identity of a registry served over HTTPS: a PKCS12 keystore holding the server's private
 * key and certificate (whose subject alternative names must include the address clients use, e.g.
 * {@code IP:127.0.0.1}).
 */
public final class RegistryTls {
  private RegistryTls() {}

  /**
   * A server TLS context from the PKCS12 {@code keystore}, whose password (and its key's) is the
   * first line of {@code passwordFile}, so that no password appears in program arguments.
   *
   * @throws IllegalArgumentException naming the file (never the password) if either cannot be read
   *     or the keystore does not open with the password or holds no key
   */
  public static SSLContext fromPkcs12(Path keystore, Path passwordFile) {
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(passwordFile, "passwordFile");
    char[] password;
    try {
      password =
          Files.readAllLines(passwordFile).stream()
              .findFirst()
              .map(String::strip)
              .orElse("")
              .toCharArray();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "cannot read the password file " + passwordFile + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the password file " + passwordFile);
    }
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      boolean hasKey = false;
      for (String alias : java.util.Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException(
            "the keystore " + keystore + " holds no private key for the registry's certificate");
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read the keystore " + keystore + ": no such file");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot open the keystore "
              + keystore
              + " as PKCS12 with the password in "
              + passwordFile);
    } finally {
      Arrays.fill(password, '\0');
    }
  }
}
