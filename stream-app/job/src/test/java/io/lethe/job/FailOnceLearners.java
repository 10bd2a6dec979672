package io.lethe.job;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.learner.ForwardingModelLearner;
import io.lethe.job.learner.LearnerFactory;
import io.lethe.job.learner.ModelLearner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection through the job's learner extension point: the real learners, except that the
 * first learner to pass {@code failAfter} learned samples throws once, failing its task mid-stream
 * so Flink restarts the job from its last checkpoint. The flags are static because the MiniCluster
 * runs the (serialized) factory in this JVM.
 */
final class FailOnceLearners implements LearnerFactory {
  private static final long serialVersionUID = 1L;

  static final AtomicBoolean failed = new AtomicBoolean();
  static final AtomicLong restores = new AtomicLong();

  private final long failAfter;
  private final CatalogLearners real = new CatalogLearners();

  /**
   * Forgets the failure and the restores of a previous test in this JVM: the counts are static,
   * because the job runs a deserialized copy of the factory. Call before starting a job.
   */
  static void reset() {
    failed.set(false);
    restores.set(0);
  }

  FailOnceLearners(long failAfter) {
    this.failAfter = failAfter;
  }

  @Override
  public ModelLearner create(ModelSpec model, DatasetSpec dataset, Map<String, byte[]> restored) {
    if (!restored.isEmpty()) {
      restores.incrementAndGet();
    }
    ModelLearner learner = real.create(model, dataset, restored);
    return new ForwardingModelLearner(learner) {
      private long learned;

      @Override
      public void learn(String task, List<String> sampleIds, byte[][] features, int[] labels) {
        super.learn(task, sampleIds, features, labels);
        learned += sampleIds.size();
        if (learned >= failAfter && failed.compareAndSet(false, true)) {
          throw new IllegalStateException("injected failure after " + learned + " samples");
        }
      }
    };
  }
}
