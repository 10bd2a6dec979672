package io.lethe.job.learner;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A learner's checkpoint parts in keyed state ({@link ModelLearner#drainChangedState}): one map
 * entry per part, under the current key (a model, or a model's shard).
 */
final class LearnerStateParts {
  private LearnerStateParts() {}

  /** The state's descriptor; its name is in every savepoint, so it never changes. */
  static MapStateDescriptor<String, byte[]> descriptor() {
    return new MapStateDescriptor<>(
        "learner-state", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  }

  /** Writes the parts that changed; a part mapped to null is removed. */
  static void write(MapState<String, byte[]> state, Map<String, byte[]> changed) throws Exception {
    for (Map.Entry<String, byte[]> part : changed.entrySet()) {
      if (part.getValue() == null) {
        state.remove(part.getKey());
      } else {
        state.put(part.getKey(), part.getValue());
      }
    }
  }

  /** Every part, for a learner to restore from (empty for a key never checkpointed). */
  static Map<String, byte[]> read(MapState<String, byte[]> state) throws Exception {
    Map<String, byte[]> parts = new HashMap<>();
    for (Map.Entry<String, byte[]> part : state.entries()) {
      parts.put(part.getKey(), part.getValue());
    }
    return parts;
  }
}
