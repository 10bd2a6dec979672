package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.snapshot.SnapshotSigner;
import io.lethe.schemas.snapshot.TrustedKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysMainTest {
  @TempDir Path dir;

  @Test
  void shouldWriteAKeyPairThatTheJobAndTheServiceRead() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path keys = dir.resolve("keys");

    int code = run(out, err, "generate", "--out", keys.toString());

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String keyId = SnapshotSigner.fromFile(keys.resolve(SigningKeys.PRIVATE_KEY_FILE)).keyId();
    assertThat(TrustedKeys.load(List.of(keys)).keyIds()).containsExactly(keyId);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("lethe keys: wrote key " + keyId + "\n")
        .contains(
            keys.resolve(SigningKeys.PRIVATE_KEY_FILE) + "  (lethe job or ingress --signing-key)")
        .contains(
            keys.resolve(SigningKeys.PUBLIC_KEY_FILE)
                + "  (lethe serve or verify-receipt --trusted-keys)");
  }

  @Test
  void shouldRefuseToOverwriteAKeyWithOneLineAndExitTwo() {
    run(new ByteArrayOutputStream(), new ByteArrayOutputStream(), "generate", "--out", dir + "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = run(out, err, "generate", "--out", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--out: a key already exists in " + dir + "; move it away");
  }

  private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return KeysMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
