package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.JobMetrics;
import io.lethe.job.ModelRoutes;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.ShardPartial;
import io.lethe.job.events.ShardReport;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.records.ErasureGuarantee;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.Rejection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of a sharded analytic model, keyed by the shard's key ({@link ModelRoutes}): learns the
 * samples of its subjects in micro-batches and applies their erasures (and every TASK erasure) at
 * once, and at each checkpoint barrier sends the model's {@link ShardMergeOperator} its partial
 * sums, if they changed, with a report of each erasure it applied since. It publishes nothing
 * itself: versions, snapshots, confirmations and heartbeats are the merge's.
 *
 * <p>Why at the barrier: the merge solves once per checkpoint from the partials of all shards at
 * the same checkpoint, so a version is the model of a consistent cut of the input, and every TASK
 * erasure (routed to all shards before the same barrier) is in all of them or none. The learner's
 * state is checkpointed as the unsharded {@link LearnerOperator} checkpoints it (only the parts
 * that changed), per shard key.
 */
public final class ShardLearnerOperator extends AbstractStreamOperator<ShardPartial>
    implements OneInputStreamOperator<LearnerCommand, ShardPartial> {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(ShardLearnerOperator.class);

  /** Dead letters of samples a shard's learner refused. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("shard-dead-letters", TypeInformation.of(KafkaOut.class));

  private final ModelCatalog catalog;
  private final ModelRoutes routes;
  private final int microBatchSize;

  private transient MapState<String, byte[]> learnerState;
  private transient ValueState<Long> samplesLearnedState;
  private transient Map<String, LiveShard> live;
  private transient Counter samplesLearned;
  private transient Counter samplesRefused;
  private transient Counter erasuresApplied;

  /**
   * @param catalog the models (only sharded analytic ones reach this operator)
   * @param routes the shard keys
   * @param microBatchSize samples learned together
   */
  public ShardLearnerOperator(ModelCatalog catalog, ModelRoutes routes, int microBatchSize) {
    if (microBatchSize <= 0) {
      throw new IllegalArgumentException("micro-batch size must be > 0, was " + microBatchSize);
    }
    this.catalog = catalog;
    this.routes = routes;
    this.microBatchSize = microBatchSize;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    learnerState = getPartitionedState(LearnerStateParts.descriptor());
    samplesLearnedState =
        getPartitionedState(new ValueStateDescriptor<>("samples-learned", Types.LONG));
  }

  @Override
  public void open() throws Exception {
    super.open();
    live = new LinkedHashMap<>();
    var metrics = getMetricGroup();
    samplesLearned = metrics.counter(JobMetrics.SAMPLES_LEARNED);
    samplesRefused = metrics.counter(JobMetrics.SAMPLES_REFUSED);
    erasuresApplied = metrics.counter(JobMetrics.ERASURES_APPLIED);
  }

  @Override
  public void processElement(StreamRecord<LearnerCommand> element) throws Exception {
    LearnerCommand command = element.getValue();
    LiveShard shard = liveShard((String) getCurrentKey());
    switch (command.kind) {
      case LEARN -> {
        shard.buffer(command);
        if (shard.buffered >= microBatchSize) {
          learnBuffered(shard);
        }
      }
      case ERASE_SAMPLES -> {
        learnBuffered(shard); // every erased sample is learned before it is erased
        ErasureResult result =
            shard.learner.eraseSamples(
                command.sampleIds, command.tasks, command.packedFeatures, command.labels);
        if (result.guarantee() != ErasureGuarantee.REJECTED) {
          shard.changed = true;
        }
        shard.reports.add(report(command, result, 1));
      }
      case ERASE_TASKS -> {
        learnBuffered(shard);
        ShardReport report = report(command, ErasureResult.exact(0), shard.count);
        for (String task : command.tasks) {
          ErasureResult result = shard.learner.eraseTasks(List.of(task));
          if (result.reason() != null) {
            report.tasksNotHeld.add(task); // nothing of it here
          } else {
            report.samplesErased += result.samplesErased();
            shard.changed = true;
          }
        }
        report.tasks = new ArrayList<>(command.tasks);
        shard.reports.add(report);
      }
    }
  }

  private ShardReport report(LearnerCommand command, ErasureResult result, int expected) {
    erasuresApplied.inc();
    ShardReport report = new ShardReport();
    report.requestId = command.requestId;
    report.guarantee = result.guarantee().name();
    report.reason = result.reason();
    report.samplesErased = result.samplesErased();
    report.requestedAtMillis = command.requestedAtMillis;
    report.appliedAtMillis = getProcessingTimeService().getCurrentProcessingTime();
    report.expectedReports = expected;
    return report;
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    sendAll();
  }

  @Override
  public void finish() throws Exception {
    // End of a bounded input: learn what is buffered and send what is unsent.
    sendAll();
    super.finish();
  }

  /** Learns every shard's buffer and sends each shard's changes to the merge. */
  private void sendAll() throws Exception {
    for (Map.Entry<String, LiveShard> entry : live.entrySet()) {
      setCurrentKey(entry.getKey());
      LiveShard shard = entry.getValue();
      learnBuffered(shard);
      if (!shard.changed && shard.reports.isEmpty()) {
        continue;
      }
      ShardPartial partial = new ShardPartial();
      partial.model = shard.spec.name();
      partial.shard = shard.index;
      partial.sums = shard.changed ? shard.learner.partialSums().encode() : null;
      Long learned = samplesLearnedState.value();
      partial.samplesLearned = learned == null ? 0 : learned;
      partial.lastLearnedAtMillis = shard.lastLearnedAtMillis;
      partial.reports = new ArrayList<>(shard.reports);
      output.collect(new StreamRecord<>(partial));
      shard.changed = false;
      shard.reports.clear();
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    for (Map.Entry<String, LiveShard> entry : live.entrySet()) {
      setCurrentKey(entry.getKey());
      LearnerStateParts.write(learnerState, entry.getValue().learner.drainChangedState());
    }
    super.snapshotState(context);
  }

  @Override
  public void close() throws Exception {
    if (live != null) {
      live.values().forEach(s -> s.learner.close());
      live.clear();
    }
    super.close();
  }

  private LiveShard liveShard(String key) throws Exception {
    LiveShard shard = live.get(key);
    if (shard != null) {
      return shard;
    }
    ModelRoutes.Shard id = routes.shard(key);
    if (id == null) {
      throw new IllegalStateException("command for unknown shard key " + key);
    }
    ModelSpec spec = catalog.model(id.model()).orElseThrow();
    DatasetSpec dataset = catalog.dataset(spec.dataset()).orElseThrow();
    Map<String, byte[]> restored = LearnerStateParts.read(learnerState);
    if (!restored.isEmpty()) {
      log.info(
          "Restoring shard {} of model {} from {} checkpointed state parts",
          id.index(),
          id.model(),
          restored.size());
    }
    shard =
        new LiveShard(
            spec, id.index(), spec.shards(), AnalyticModelLearner.create(spec, dataset, restored));
    live.put(key, shard);
    return shard;
  }

  private void learnBuffered(LiveShard shard) throws Exception {
    if (shard.buffered == 0) {
      return;
    }
    int learned = 0;
    for (Map.Entry<String, List<LearnerCommand>> batch : shard.bufferByTask.entrySet()) {
      List<LearnerCommand> commands = batch.getValue();
      try {
        learn(shard, batch.getKey(), commands);
        learned += commands.size();
      } catch (IllegalArgumentException batchRefused) {
        // learned again sample by sample; each one still refused is dead-lettered
        for (LearnerCommand command : commands) {
          try {
            learn(shard, batch.getKey(), List.of(command));
            learned++;
          } catch (IllegalArgumentException sampleRefused) {
            refuse(shard, command, sampleRefused.getMessage());
          }
        }
      }
    }
    shard.bufferByTask.clear();
    shard.buffered = 0;
    if (learned > 0) {
      samplesLearned.inc(learned);
      Long total = samplesLearnedState.value();
      samplesLearnedState.update((total == null ? 0 : total) + learned);
      shard.lastLearnedAtMillis = getProcessingTimeService().getCurrentProcessingTime();
      shard.changed = true;
    }
  }

  private static void learn(LiveShard shard, String task, List<LearnerCommand> commands) {
    List<String> ids = new ArrayList<>(commands.size());
    byte[][] packedFeatures = new byte[commands.size()][];
    int[] labels = new int[commands.size()];
    for (int i = 0; i < commands.size(); i++) {
      LearnerCommand c = commands.get(i);
      ids.add(c.sampleIds.get(0));
      packedFeatures[i] = c.packedFeatures[0];
      labels[i] = c.labels[0];
    }
    shard.learner.learn(task, ids, packedFeatures, labels);
  }

  private void refuse(LiveShard shard, LearnerCommand command, String reason) {
    samplesRefused.inc();
    String message =
        "model "
            + shard.spec.name()
            + " refused sample "
            + command.sampleIds.get(0)
            + ": "
            + reason;
    output.collect(
        DEAD_LETTERS,
        new StreamRecord<>(
            JobDeadLetters.withoutBytes(
                command.sampleIds.get(0),
                DeadLetterEnvelope.Source.unknown(),
                new Rejection(JobDeadLetters.MODEL_REFUSED_SAMPLE, message),
                Instant.ofEpochMilli(getProcessingTimeService().getCurrentProcessingTime()))));
  }

  /** A shard's learner in memory, its waiting samples and what it has not sent yet. */
  private static final class LiveShard {
    final ModelSpec spec;
    final int index;
    final int count;
    final AnalyticModelLearner learner;
    final Map<String, List<LearnerCommand>> bufferByTask = new LinkedHashMap<>();
    final List<ShardReport> reports = new ArrayList<>();
    int buffered;
    boolean changed;
    long lastLearnedAtMillis;

    LiveShard(ModelSpec spec, int index, int count, AnalyticModelLearner learner) {
      this.spec = spec;
      this.index = index;
      this.count = count;
      this.learner = learner;
    }

    void buffer(LearnerCommand command) {
      bufferByTask.computeIfAbsent(command.task, t -> new ArrayList<>()).add(command);
      buffered++;
    }
  }
}
