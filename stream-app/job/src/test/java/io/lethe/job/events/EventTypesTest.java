package io.lethe.job.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.ledger.LedgerEntry;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * The job's events and ledger entries are Flink POJOs that carry features packed, as byte arrays
 * Flink serializes itself (never through Kryo).
 */
class EventTypesTest {
  private static final TypeInformation<byte[]> BYTES =
      PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;

  @Test
  void shouldCarryFeaturesAsPackedBytes() {
    assertThat(fieldType(SampleEvent.class, "packedFeatures")).isEqualTo(BYTES);
    assertThat(fieldType(LearnerCommand.class, "packedFeatures"))
        .isEqualTo(ObjectArrayTypeInfo.getInfoFor(byte[][].class, BYTES));
    assertThat(fieldType(LedgerEntry.class, "packedFeatures")).isEqualTo(BYTES);
    // entries from checkpoints taken before the features travelled packed
    assertThat(fieldType(LedgerEntry.class, "features")).isEqualTo(FloatVectors.PACKED);
    assertThat(
            TypeInformation.of(LearnerCommand.class).createSerializer(new SerializerConfigImpl()))
        .isNotNull();
  }

  @Test
  void shouldCarryTheErasureFingerprintAndSourceRecordAsPojoFields() {
    assertThat(fieldType(ErasureEvent.class, "fingerprint")).isEqualTo(Types.STRING);
    assertThat(fieldType(ErasureEvent.class, "source")).isInstanceOf(PojoTypeInfo.class);
    assertThat(fieldType(KafkaOut.class, "avro")).isEqualTo(BYTES);
  }

  private static TypeInformation<?> fieldType(Class<?> pojo, String field) {
    TypeInformation<?> type = TypeInformation.of(pojo);
    assertThat(type).isInstanceOf(PojoTypeInfo.class);
    PojoTypeInfo<?> info = (PojoTypeInfo<?>) type;
    return info.getTypeAt(info.getFieldIndex(field));
  }
}
