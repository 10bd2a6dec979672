package io.lethe.catalog;

import io.lethe.records.LearnerKind;
import java.io.Serializable;
import java.util.Map;

/**
 * One model declared in the catalog.
 *
 * @param name unique model name; the key of its snapshots on {@code lethe.models}
 * @param learner learning method
 * @param dataset the dataset it learns from
 * @param device DJL device to learn on, e.g. {@code cpu} or {@code gpu0}
 * @param snapshot when it publishes snapshots
 * @param settings learner settings as written in the file (validated by the learner binding)
 */
public record ModelSpec(
    String name,
    LearnerKind learner,
    String dataset,
    String device,
    SnapshotPolicy snapshot,
    Map<String, String> settings)
    implements Serializable {

  /** Copies the settings. */
  public ModelSpec {
    settings = Map.copyOf(settings);
  }
}
