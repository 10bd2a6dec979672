package io.lethe.job.ledger;

import io.lethe.job.events.FloatVectors;
import io.lethe.learners.data.PackedFeatures;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What one learned sample contributed, kept until it is erased: exact erasure needs the sample's
 * features and label, and the models that learned it. A Flink POJO.
 */
public final class LedgerEntry {
  public String task;
  public int label;
  public long eventTimeMillis;

  /**
   * The features in {@link PackedFeatures}' form, as the sample brought them ({@link
   * io.lethe.job.events.SampleEvent#packedFeatures}): most of an entry's bytes. Null in an entry
   * restored from a checkpoint taken before the samples carried packed features; see {@link
   * #features}.
   */
  public byte[] packedFeatures;

  /**
   * The features of an entry written before the samples carried packed features (checkpoints before
   * 2026-11-27), in whatever form its serializer restores them ({@link FloatVectors#PACKED} reads
   * and migrates the earlier forms); null in newer entries.
   */
  @TypeInfo(FloatVectors.PackedVectorFactory.class)
  public float[] features;

  public List<String> models = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public LedgerEntry() {}

  LedgerEntry(
      String task, int label, long eventTimeMillis, byte[] packedFeatures, List<String> models) {
    this.task = task;
    this.label = label;
    this.eventTimeMillis = eventTimeMillis;
    this.packedFeatures = packedFeatures;
    this.models = new ArrayList<>(models);
  }

  /** The features in {@link PackedFeatures}' form: as kept, or packed now for an older entry. */
  byte[] packed() {
    return packedFeatures != null ? packedFeatures : new PackedFeatures().pack(features);
  }
}
