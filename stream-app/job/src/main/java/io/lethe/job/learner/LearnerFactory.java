package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelSpec;
import java.io.Serializable;
import java.util.Map;

/** Creates the learner of a catalog model, empty or from checkpointed state parts. */
@FunctionalInterface
public interface LearnerFactory extends Serializable {
  /**
   * @param restored the state parts of a checkpoint, or empty for a new learner
   */
  ModelLearner create(ModelSpec model, DatasetSpec dataset, Map<String, byte[]> restored);
}
