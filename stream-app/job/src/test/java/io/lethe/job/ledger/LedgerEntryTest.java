package io.lethe.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.data.PackedFeatures;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * A ledger entry keeps the packed bytes its sample brought, and an entry from before (its features
 * as floats) still gives its features packed, through Flink's serializer of the entry.
 */
class LedgerEntryTest {
  private static final float[] FEATURES = {0f, 0.5f, 1f, 0.5f, 0f, 0.25f};

  private final TypeSerializer<LedgerEntry> serializer =
      TypeInformation.of(LedgerEntry.class).createSerializer(new SerializerConfigImpl());

  @Test
  void shouldKeepThePackedBytesItWasGiven() throws IOException {
    byte[] packed = new PackedFeatures().pack(FEATURES);
    LedgerEntry entry = new LedgerEntry("t", 3, 100L, packed, List.of("analytic"));

    LedgerEntry read = roundTrip(entry);

    assertThat(read.packed()).isEqualTo(packed);
    assertThat(read.features).isNull();
    assertThat(read.models).containsExactly("analytic");
  }

  @Test
  void shouldPackTheFeaturesOfAnEntryFromBefore() throws IOException {
    LedgerEntry before = new LedgerEntry();
    before.task = "t";
    before.label = 3;
    before.features = FEATURES.clone();
    before.models = List.of("analytic");

    LedgerEntry read = roundTrip(before);

    assertThat(read.packedFeatures).isNull();
    assertThat(PackedFeatures.unpack(read.packed())).isEqualTo(FEATURES);
  }

  private LedgerEntry roundTrip(LedgerEntry entry) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(entry, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
