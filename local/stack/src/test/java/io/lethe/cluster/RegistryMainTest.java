package io.lethe.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry process's {@code --users-file}: a bad file stops it before it serves anyone. */
class RegistryMainTest {
  @TempDir Path dir;

  @Test
  void shouldRefuseAnUnusableUsersFileNamingTheOptionAndLine() throws Exception {
    Path file = Files.writeString(dir.resolve("users"), "admin: s3cret,root\n");

    String err = refused("--bootstrap", "localhost:1", "--users-file", file.toString());

    assertThat(err)
        .isEqualTo(
            "registry: Invalid value for option '--users-file': registry users file "
                + file
                + ", line 1: user 'admin' has the unknown role 'root'; roles are read, write,"
                + " admin; see 'registry --help'")
        .doesNotContain("s3cret");
  }

  @Test
  void shouldRefuseHalfATlsConfigurationOrAKeystoreThatDoesNotOpen() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "pass\n");
    assertThat(refused("--bootstrap", "localhost:1", "--tls-keystore", "registry.p12"))
        .isEqualTo(
            "registry: --tls-keystore and --tls-keystore-password-file go together; give both or"
                + " neither; see 'registry --help'");
    Path keystore = Files.writeString(dir.resolve("registry.p12"), "not a keystore");
    assertThat(
            refused(
                "--bootstrap",
                "localhost:1",
                "--tls-keystore",
                keystore.toString(),
                "--tls-keystore-password-file",
                password.toString()))
        .isEqualTo(
            "registry: Invalid value for option '--tls-keystore': cannot open the keystore "
                + keystore
                + " as PKCS12 with the password in "
                + password
                + "; see 'registry --help'");
  }

  private static String refused(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Cli.run(
            new RegistryMain(),
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(Cli.USAGE);
    return err.toString(StandardCharsets.UTF_8).strip();
  }
}
