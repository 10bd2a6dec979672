package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelSpec;
import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticPartialSums;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.AnalyticSnapshots;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.settings.SettingValues;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.util.List;
import java.util.Map;

/**
 * The analytic learner in the job: every erasure scope is exact, and a sample the learner refuses
 * to erase (never learned, already erased, different features) leaves the state unchanged and is
 * reported as REJECTED with the learner's reason.
 */
final class AnalyticModelLearner implements ModelLearner {
  private final AnalyticLearner learner;

  private AnalyticModelLearner(AnalyticLearner learner) {
    this.learner = learner;
  }

  static AnalyticModelLearner create(
      ModelSpec model, DatasetSpec dataset, Map<String, byte[]> restored) {
    AnalyticSettings settings = settings(model, dataset);
    return new AnalyticModelLearner(
        restored.isEmpty()
            ? new AnalyticLearner(settings)
            : AnalyticLearner.restore(settings, restored));
  }

  /**
   * The learner settings the catalog gives {@code model}: its declared settings, with the input
   * size and (by default) the class bound taken from the dataset; errors name the model and key.
   */
  static AnalyticSettings settings(ModelSpec model, DatasetSpec dataset) {
    return SettingsReader.build(
        model,
        () -> {
          SettingValues values = model.learnerValues();
          values.put(AnalyticSettings.INPUT_DIM, dataset.features());
          if (!values.has(AnalyticSettings.MAX_CLASSES)) {
            values.put(AnalyticSettings.MAX_CLASSES, dataset.classes());
          }
          return AnalyticSettings.from(values);
        });
  }

  @Override
  public void learn(String task, List<String> sampleIds, byte[][] packedFeatures, int[] labels) {
    learner.learnPacked(task, sampleIds, packedFeatures, labels);
  }

  /**
   * Erases the samples this model still holds. One it erased before (with a task erased earlier: a
   * subject's samples can span an erased and a kept task) is already gone, exactly; the rest is
   * erased. An id the model never learned rejects the request, as the learner does.
   */
  @Override
  public ErasureResult eraseSamples(
      List<String> sampleIds, List<String> tasks, byte[][] packedFeatures, int[] labels) {
    List<String> held = new java.util.ArrayList<>();
    List<byte[]> heldFeatures = new java.util.ArrayList<>();
    List<Integer> heldLabels = new java.util.ArrayList<>();
    for (int i = 0; i < sampleIds.size(); i++) {
      if (!learner.hasErased(sampleIds.get(i))) {
        held.add(sampleIds.get(i));
        heldFeatures.add(packedFeatures[i]);
        heldLabels.add(labels[i]);
      }
    }
    int gone = sampleIds.size() - held.size();
    String reason =
        gone == 0 ? null : gone + " of the samples had already gone with an erased task";
    if (held.isEmpty()) {
      return new ErasureResult(io.lethe.records.ErasureGuarantee.EXACT, reason, 0);
    }
    try {
      long erased =
          learner
              .eraseSamples(
                  held,
                  PackedFeatures.unpack(heldFeatures.toArray(new byte[0][])),
                  heldLabels.stream().mapToInt(Integer::intValue).toArray())
              .samplesErased();
      return new ErasureResult(io.lethe.records.ErasureGuarantee.EXACT, reason, erased);
    } catch (IllegalArgumentException refused) {
      return ErasureResult.rejected(refused.getMessage());
    }
  }

  @Override
  public ErasureResult eraseTasks(List<String> tasks) {
    long erased = 0;
    StringBuilder notLearned = new StringBuilder();
    for (String task : tasks) {
      if (learner.samplesPerTask().containsKey(task)) {
        erased += learner.eraseTask(task).samplesErased();
      } else {
        notLearned.append(notLearned.length() == 0 ? "" : ", ").append(task);
      }
    }
    // A task this model never learned (or already erased) has no influence on it: exact, noted.
    String reason =
        notLearned.length() == 0
            ? null
            : "task(s) " + notLearned + " not learned by this model; nothing to erase there";
    return new ErasureResult(io.lethe.records.ErasureGuarantee.EXACT, reason, erased);
  }

  @Override
  public ModelSnapshot snapshot(SnapshotHeader header) {
    return AnalyticSnapshots.encode(learner, header);
  }

  /** The learner's sums and counts, as one shard of a sharded model hands them to the merge. */
  AnalyticPartialSums partialSums() {
    return learner.partialSums();
  }

  @Override
  public Map<String, byte[]> drainChangedState() {
    return learner.drainChangedState();
  }

  @Override
  public double lastLoss() {
    return Double.NaN;
  }

  @Override
  public void close() {
    learner.close();
  }
}
