package io.lethe.serving;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import io.lethe.schemas.snapshot.SigningKeys;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lethe keys}: makes the Ed25519 key pairs with which the learner job signs snapshots
 * ({@code lethe job --signing-key}) and the model service checks them ({@code lethe serve
 * --trusted-keys}), and with which the ingress signs erasure receipts ({@code lethe ingress
 * --signing-key}) for {@code lethe verify-receipt --trusted-keys}. Rotation is described in
 * model-service/README.md.
 */
@Command(
    name = "lethe keys",
    description =
        "Signing keys (Ed25519) for snapshots (learner job, model service) and erasure receipts"
            + " (ingress, verify-receipt).",
    subcommands = {KeysMain.Generate.class, HelpCommand.class})
public final class KeysMain implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe keys} with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new KeysMain(), args);
  }

  /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new KeysMain(), args, out, err);
  }

  /** Without a subcommand: the usage. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Cli.OK;
  }

  /** {@code lethe keys generate --out DIR}. */
  @Command(
      name = "generate",
      description = {
        "Writes a new key pair to DIR: "
            + SigningKeys.PRIVATE_KEY_FILE
            + " (PKCS#8 PEM, owner-only; for lethe job or ingress --signing-key) and "
            + SigningKeys.PUBLIC_KEY_FILE
            + " (X.509 PEM; for lethe serve or verify-receipt --trusted-keys), and prints the key"
            + " id.",
        "Never overwrites a key."
      })
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StandardOptions standard;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Directory to write the key pair to (created if missing).")
    Path out;

    @Override
    public Integer call() {
      SigningKeys.GeneratedKeys keys;
      try {
        keys = SigningKeys.generate(out);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--out: " + e.getMessage());
      }
      PrintWriter print = spec.commandLine().getOut();
      print.println("lethe keys: wrote key " + keys.keyId());
      print.println(
          "  private key: " + keys.privateKey() + "  (lethe job or ingress --signing-key)");
      print.println(
          "  public key:  "
              + keys.publicKey()
              + "  (lethe serve or verify-receipt --trusted-keys)");
      print.flush();
      return Cli.OK;
    }
  }
}
