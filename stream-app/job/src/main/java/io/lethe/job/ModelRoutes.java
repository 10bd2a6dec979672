package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.events.LearnerCommand;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.util.MathUtils;

/**
 * Which models learn from which dataset, and how a sharded model's commands are spread over its
 * shards: the part of the catalog that the job's routing operators need, small and serializable so
 * Flink can ship it with the operators.
 *
 * <p>Shards. A model with {@code shards} P > 1 learns in P keyed learner states: a sample or
 * erasure of subject u goes to shard murmur(hashCode(u)) mod P, so every sample of a subject, and
 * so every SUBJECT or SAMPLE erasure of it, lives on one shard; a TASK erasure goes to every shard.
 * Shard s's Flink key is {@code <model>/shard-<s>}, with a suffix {@code .<n>} (the smallest n that
 * works) chosen so that the key falls in the s-th P-th of the {@link #SHARD_KEY_GROUPS} key groups:
 * with a learner parallelism of P (or a multiple of it) each shard then has a subtask of its own.
 * The keys depend only on the model name and P, so they are the same after a restart.
 */
public final class ModelRoutes implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LinkedHashMap<String, List<String>> modelsByDataset = new LinkedHashMap<>();
  private final LinkedHashMap<String, String> datasetByModel = new LinkedHashMap<>();
  private final LinkedHashMap<String, List<String>> shardKeysByModel = new LinkedHashMap<>();
  private final LinkedHashMap<String, Shard> shardsByKey = new LinkedHashMap<>();

  /**
   * Key groups (Flink's max parallelism) of the shard learner operator: at most this many subtasks
   * learn sharded models. Fixed, because the shard keys are chosen for it.
   */
  public static final int SHARD_KEY_GROUPS = ModelSpec.MAX_SHARDS;

  /** One shard of a sharded model. */
  public record Shard(String model, int index) implements Serializable {}

  private ModelRoutes() {}

  /** The routes of every model in {@code catalog}. */
  public static ModelRoutes of(ModelCatalog catalog) {
    ModelRoutes routes = new ModelRoutes();
    for (ModelSpec model : catalog.models()) {
      routes
          .modelsByDataset
          .computeIfAbsent(model.dataset(), d -> new ArrayList<>())
          .add(model.name());
      routes.datasetByModel.put(model.name(), model.dataset());
      if (model.shards() > 1) {
        List<String> keys = new ArrayList<>();
        for (int s = 0; s < model.shards(); s++) {
          String key = shardKey(model.name(), s, model.shards());
          keys.add(key);
          routes.shardsByKey.put(key, new Shard(model.name(), s));
        }
        routes.shardKeysByModel.put(model.name(), keys);
      }
    }
    return routes;
  }

  /** The key of shard {@code s} of {@code shards}: in the s-th share of the key groups. */
  private static String shardKey(String model, int s, int shards) {
    int from = s * SHARD_KEY_GROUPS / shards;
    int to = (s + 1) * SHARD_KEY_GROUPS / shards;
    String base = model + "/shard-" + s;
    for (int n = 0; ; n++) {
      String key = n == 0 ? base : base + "." + n;
      int group = KeyGroupRangeAssignment.assignToKeyGroup(key, SHARD_KEY_GROUPS);
      if (group >= from && group < to) {
        return key;
      }
    }
  }

  /** The learner subtasks that share {@code model}'s samples (1 for an unsharded model). */
  public int shards(String model) {
    List<String> keys = shardKeysByModel.get(model);
    return keys == null ? 1 : keys.size();
  }

  /** Whether any model is sharded. */
  public boolean hasShardedModels() {
    return !shardKeysByModel.isEmpty();
  }

  /** The shard of a sharded {@code model} that learns {@code subjectId}'s samples. */
  public int shardOf(String model, String subjectId) {
    return MathUtils.murmurHash(subjectId.hashCode()) % shards(model);
  }

  /**
   * The Flink key of the shard learner that runs {@code command} of a sharded model: its subject's
   * shard, or for a task erasure the shard it was addressed to.
   */
  public String shardKey(LearnerCommand command) {
    int shard =
        command.kind == LearnerCommand.Kind.ERASE_TASKS
            ? command.shard
            : shardOf(command.model, command.subjectId);
    return shardKeysByModel.get(command.model).get(shard);
  }

  /** The shard whose Flink key is {@code key}, or null if it is not a shard key. */
  public Shard shard(String key) {
    return shardsByKey.get(key);
  }

  /** The Flink keys of a sharded model's shards, in shard order (empty for an unsharded one). */
  public List<String> shardKeys(String model) {
    return shardKeysByModel.getOrDefault(model, List.of());
  }

  /** Models learning from {@code dataset}, in catalog order (empty if none). */
  public List<String> modelsLearning(String dataset) {
    return modelsByDataset.getOrDefault(dataset, List.of());
  }

  /** The dataset {@code model} learns from, or null for an unknown model. */
  public String datasetOf(String model) {
    return datasetByModel.get(model);
  }

  /** Every model, in catalog order. */
  public List<String> models() {
    return List.copyOf(datasetByModel.keySet());
  }

  /** The datasets and their models, for logs. */
  @Override
  public String toString() {
    return Map.copyOf(modelsByDataset).toString();
  }
}
