package io.lethe.local.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;

/**
 * A PKCS#12 key store or truststore on disk and the file holding its password (one line, the
 * password only). Both are readable by their owner only. {@link #toString()} shows the paths, never
 * the password, so a store can be logged.
 *
 * @param path the PKCS#12 file
 * @param passwordFile the file with its password
 */
public record StoreFile(Path path, Path passwordFile) {
  /** The key store type of every store this package writes. */
  public static final String TYPE = "PKCS12";

  /** Checks the paths. */
  public StoreFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(passwordFile, "passwordFile");
  }

  /** The store's password, read from {@link #passwordFile()}. */
  public String password() {
    try {
      return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the password of " + path, e);
    }
  }

  /** The store, loaded with its password. */
  public KeyStore load() {
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(TYPE);
      store.load(in, password().toCharArray());
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the key store " + path, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the key store " + path + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return path + " (password in " + passwordFile + ")";
  }
}
