package io.lethe.schemas.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.snapshot.TrustedKeys.Check;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSignerTest {
  @TempDir Path dir;

  @Test
  void shouldVerifyASnapshotSignedByATrustedKey() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    SnapshotSigner signer = SnapshotSigner.fromFile(keys.privateKey());
    ModelSnapshot snapshot =
        checksummed(SnapshotChecksumTest.snapshot(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    String checksum = snapshot.getChecksum();

    signer.sign(snapshot);

    assertThat(snapshot.getSigningKeyId()).isEqualTo(keys.keyId()).matches("[0-9a-f]{16}");
    assertThat(snapshot.getSignature().remaining()).isEqualTo(64);
    assertThat(SnapshotChecksum.verify(snapshot)).isTrue(); // signing leaves the checksum alone
    assertThat(SnapshotChecksum.compute(snapshot)).isEqualTo(checksum);
    assertThat(TrustedKeys.load(List.of(keys.publicKey())).check(snapshot)).isEqualTo(Check.VALID);
  }

  @Test
  void shouldRefuseASnapshotChangedAfterSigningEvenWithAFreshChecksum() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
    ModelSnapshot snapshot = checksummed(SnapshotChecksumTest.snapshot(data));
    SnapshotSigner.fromFile(keys.privateKey()).sign(snapshot);

    data[0] ^= 0x01; // a forger changes a weight and fixes the checksum, but cannot re-sign
    snapshot.getTensors().get(0).setData(ByteBuffer.wrap(data));
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));

    assertThat(SnapshotChecksum.verify(snapshot)).isTrue();
    assertThat(TrustedKeys.load(List.of(keys.publicKey())).check(snapshot))
        .isEqualTo(Check.BAD_SIGNATURE);
  }

  @Test
  void shouldRefuseAForgedSignatureUnderATrustedKeyId() {
    SigningKeys.GeneratedKeys trusted = SigningKeys.generate(dir.resolve("trusted"));
    SigningKeys.GeneratedKeys forger = SigningKeys.generate(dir.resolve("forger"));
    ModelSnapshot snapshot = checksummed(SnapshotChecksumTest.snapshot(new byte[8]));
    SnapshotSigner.fromFile(forger.privateKey()).sign(snapshot);
    snapshot.setSigningKeyId(trusted.keyId()); // claims the trusted key

    assertThat(TrustedKeys.load(List.of(trusted.publicKey())).check(snapshot))
        .isEqualTo(Check.BAD_SIGNATURE);
  }

  @Test
  void shouldRefuseASignatureOfTheWrongLength() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    ModelSnapshot snapshot = checksummed(SnapshotChecksumTest.snapshot(new byte[8]));
    snapshot.setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    snapshot.setSigningKeyId(keys.keyId());

    assertThat(TrustedKeys.load(List.of(keys.publicKey())).check(snapshot))
        .isEqualTo(Check.BAD_SIGNATURE);
  }

  @Test
  void shouldReportASnapshotSignedByAnUnknownKey() {
    SigningKeys.GeneratedKeys trusted = SigningKeys.generate(dir.resolve("trusted"));
    SigningKeys.GeneratedKeys other = SigningKeys.generate(dir.resolve("other"));
    ModelSnapshot snapshot = checksummed(SnapshotChecksumTest.snapshot(new byte[8]));
    SnapshotSigner.fromFile(other.privateKey()).sign(snapshot);

    assertThat(TrustedKeys.load(List.of(trusted.publicKey())).check(snapshot))
        .isEqualTo(Check.UNKNOWN_KEY);
  }

  @Test
  void shouldReportAnUnsignedSnapshot() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    ModelSnapshot snapshot = checksummed(SnapshotChecksumTest.snapshot(new byte[8]));
    TrustedKeys trusted = TrustedKeys.load(List.of(keys.publicKey()));

    assertThat(trusted.check(snapshot)).isEqualTo(Check.UNSIGNED);
    snapshot.setSigningKeyId(keys.keyId()); // a key id without a signature is no signature
    assertThat(trusted.check(snapshot)).isEqualTo(Check.UNSIGNED);
  }

  @Test
  void shouldAcceptBothKeysWhileTheyRotate() throws Exception {
    SigningKeys.GeneratedKeys old = SigningKeys.generate(dir.resolve("old"));
    SigningKeys.GeneratedKeys next = SigningKeys.generate(dir.resolve("next"));
    ModelSnapshot byOld = checksummed(SnapshotChecksumTest.snapshot(new byte[8]));
    SnapshotSigner.fromFile(old.privateKey()).sign(byOld);
    ModelSnapshot byNext =
        checksummed(SnapshotChecksumTest.snapshot(new byte[] {9, 9, 9, 9, 9, 9, 9, 9}));
    SnapshotSigner.fromFile(next.privateKey()).sign(byNext);

    // during rotation: both public keys in one directory of *.pub files
    Path trustDir = Files.createDirectories(dir.resolve("trusted"));
    Files.copy(old.publicKey(), trustDir.resolve("old.pub"));
    Files.copy(next.publicKey(), trustDir.resolve("next.pub"));
    TrustedKeys during = TrustedKeys.load(List.of(trustDir));
    assertThat(during.keyIds()).containsExactlyInAnyOrder(old.keyId(), next.keyId());
    assertThat(during.check(byOld)).isEqualTo(Check.VALID);
    assertThat(during.check(byNext)).isEqualTo(Check.VALID);

    // after rotation the old key is dropped
    TrustedKeys after = TrustedKeys.load(List.of(next.publicKey()));
    assertThat(after.check(byOld)).isEqualTo(Check.UNKNOWN_KEY);
    assertThat(after.check(byNext)).isEqualTo(Check.VALID);
  }

  @Test
  void shouldReadSeveralPublicKeysFromOneFile() throws Exception {
    SigningKeys.GeneratedKeys a = SigningKeys.generate(dir.resolve("a"));
    SigningKeys.GeneratedKeys b = SigningKeys.generate(dir.resolve("b"));
    Path bundle = dir.resolve("trusted.pem");
    Files.writeString(bundle, Files.readString(a.publicKey()) + Files.readString(b.publicKey()));

    assertThat(TrustedKeys.load(List.of(bundle)).keyIds())
        .containsExactlyInAnyOrder(a.keyId(), b.keyId());
  }

  @Test
  void shouldWriteThePrivateKeyForItsOwnerOnlyAndNeverOverwriteIt() throws Exception {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.privateKey())))
        .isEqualTo("rw-------");
    assertThat(Files.readString(keys.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(keys.publicKey())).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(SnapshotSigner.fromFile(keys.privateKey()).keyId()).isEqualTo(keys.keyId());
    assertThatThrownBy(() -> SigningKeys.generate(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a key already exists in " + dir + "; move it away or choose another directory");
  }

  @Test
  void shouldNameTheFileThatHoldsNoPrivateKey() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);

    assertThatThrownBy(() -> SnapshotSigner.fromFile(keys.publicKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "signing key file " + keys.publicKey() + " holds 0 PEM PRIVATE KEY blocks, expected 1");
    assertThatThrownBy(() -> TrustedKeys.load(List.of(keys.privateKey())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trusted key file " + keys.privateKey() + " holds no PEM PUBLIC KEY block");
  }

  @Test
  void shouldStayCompatibleBothWaysWithTheSchemaBeforeSignatures() {
    // the schema before the signature fields is exactly the canonical one (BACKWARD and FORWARD:
    // the registry accepts the new version, and old readers still read new snapshots)
    Schema before = SnapshotEncoding.CANONICAL;
    Schema now = ModelSnapshot.getClassSchema();
    assertThat(now.getFields()).hasSize(before.getFields().size() + 2);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, before).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(before, now).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  private static ModelSnapshot checksummed(ModelSnapshot snapshot) {
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    return snapshot;
  }
}
