package io.lethe.job.learner;

import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ModelSnapshot;
import java.util.List;
import java.util.Map;

/**
 * A {@link ModelLearner} that hands every call to another one: tests that inject a fault override
 * the one call they change and keep the real learner's behaviour for the rest.
 */
public class ForwardingModelLearner implements ModelLearner {
  private final ModelLearner real;

  /** Forwards to {@code real}. */
  public ForwardingModelLearner(ModelLearner real) {
    this.real = real;
  }

  @Override
  public void learn(String task, List<String> sampleIds, byte[][] packedFeatures, int[] labels) {
    real.learn(task, sampleIds, packedFeatures, labels);
  }

  @Override
  public ErasureResult eraseSamples(
      List<String> sampleIds, List<String> tasks, byte[][] packedFeatures, int[] labels) {
    return real.eraseSamples(sampleIds, tasks, packedFeatures, labels);
  }

  @Override
  public List<ErasureResult> eraseSamplesTogether(List<SampleErasure> requests) {
    return real.eraseSamplesTogether(requests);
  }

  @Override
  public ErasureResult eraseTasks(List<String> tasks) {
    return real.eraseTasks(tasks);
  }

  @Override
  public ModelSnapshot snapshot(SnapshotHeader header) {
    return real.snapshot(header);
  }

  @Override
  public Map<String, byte[]> drainChangedState() {
    return real.drainChangedState();
  }

  @Override
  public int trainWhileIdle(IdleTick tick) {
    return real.trainWhileIdle(tick);
  }

  @Override
  public long trainingSteps() {
    return real.trainingSteps();
  }

  @Override
  public double lastLoss() {
    return real.lastLoss();
  }

  @Override
  public void close() {
    real.close();
  }
}
