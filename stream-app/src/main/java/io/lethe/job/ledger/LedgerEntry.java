package io.lethe.job.ledger;

import io.lethe.job.events.FloatVectors;
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

  /** Packed in state ({@link FloatVectors#PACKED}): most of an entry's bytes. */
  @TypeInfo(FloatVectors.PackedVectorFactory.class)
  public float[] features;

  public List<String> models = new ArrayList<>();

  /** For Flink's POJO serializer. */
  public LedgerEntry() {}

  LedgerEntry(String task, int label, long eventTimeMillis, float[] features, List<String> models) {
    this.task = task;
    this.label = label;
    this.eventTimeMillis = eventTimeMillis;
    this.features = features;
    this.models = new ArrayList<>(models);
  }
}
