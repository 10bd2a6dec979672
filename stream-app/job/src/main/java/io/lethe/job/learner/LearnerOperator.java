package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.JobMetrics;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.learners.hypernet.DivergedModelException;
import io.lethe.learners.snapshot.NonFiniteWeightsException;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.snapshot.SnapshotSigner;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.Rejection;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner operator, keyed by model: applies learn and erase commands in arrival order,
 * micro-batching learning, and publishes versioned snapshots by the model's {@link SnapshotPolicy},
 * each followed by an {@code ErasureApplied} for every erasure it is the first version to reflect.
 * SAMPLE and SUBJECT erasures wait for the next timer (at most the policy's after-erasure delay) or
 * checkpoint and are applied together, after the samples learned before them.
 *
 * <p>Why a custom operator rather than a {@code KeyedProcessFunction}: the learner's state is large
 * (the analytic learner's per-task sums are d_E^2 doubles each) and lives in native memory. Writing
 * it to Flink state after every micro-batch would copy it constantly; instead the live learners
 * stay in memory and {@link #snapshotState} writes only the parts that changed, for each model,
 * into keyed state just before Flink snapshots the keyed backend. Buffered samples are learned in
 * {@link #prepareSnapshotPreBarrier}, with waiting erasures, so a checkpoint never holds half a
 * micro-batch or an unapplied erasure. A restore rebuilds each learner from its parts on the first
 * command or timer for its model.
 *
 * <p>Versions are kept in checkpointed state. After a failure the job resumes from the last
 * checkpoint and may build a version number again, but the exactly-once sink aborted the
 * transaction that carried the first attempt, so committed readers never see a version twice.
 *
 * <p>Every {@link Heartbeats#interval()} the operator publishes a {@link LearnerHeartbeat} for each
 * catalog model whose key it owns, from a processing-time timer of its own (not a keyed timer, so
 * models that have seen no command yet report too). Heartbeats go through the same exactly-once
 * sink as everything else, so they become visible only when a checkpoint commits: a job that is
 * cancelled, failing, restarting in a loop or stuck in a learner stops publishing them, which is
 * what the model service reports as a learner that is not running.
 *
 * <p>Every {@link #IDLE_TICK} it lets each live learner take the extra steps it still owes (the
 * hypernetwork's {@code steps-per-task} budget): while records come (one came in the last {@link
 * #QUIET_AFTER}), only in the time that the operator's thread did not spend on them and the machine
 * had a core free ({@link SpareTime}), and within each learner's own CPU share of the tick; once
 * none came for that long, for up to the whole tick. The tick runs in the task's mailbox between
 * records, so a record that arrives during those steps waits at most one tick, and the steps never
 * take the time the stream needs.
 */
public final class LearnerOperator extends AbstractStreamOperator<KafkaOut>
    implements OneInputStreamOperator<LearnerCommand, KafkaOut>,
        Triggerable<String, VoidNamespace> {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(LearnerOperator.class);

  /** How often learners may use idle time; each takes at most its CPU share of it. */
  static final java.time.Duration IDLE_TICK = java.time.Duration.ofMillis(100);

  /**
   * How long no record may have come before the stream counts as idle and a learner may take whole
   * ticks. Records reach the operator in bursts (the producers' transactions and the source's
   * fetches), so a tick without one does not mean that the stream has stopped.
   */
  static final java.time.Duration QUIET_AFTER = java.time.Duration.ofSeconds(1);

  private final ModelCatalog catalog;
  private final LearnerFactory factory;
  private final int microBatchSize;
  private final Heartbeats heartbeats;
  private final String signingKeyFile;
  private transient SnapshotSigner signer;

  private transient MapState<String, byte[]> learnerState;
  private transient ValueState<ModelProgress> progressState;
  private transient InternalTimerService<VoidNamespace> timers;
  private transient Map<String, LiveModel> live;
  private transient Counter samplesLearned;
  private transient Counter erasuresApplied;
  private transient Counter snapshotsPublished;
  private transient Counter snapshotsRefused;
  private transient Counter samplesRefused;
  private transient Map<String, Long> versions;
  private transient Map<String, Long> lastErasureToSnapshotMillis;
  private transient Map<String, Double> losses;
  private transient Map<String, Long> lastLearnedAtMillis;
  private transient Map<String, Long> newestBufferedTimestamp;
  private transient Map<String, Long> inputLagMillis;
  private transient long recordsSinceIdleTick;
  private transient long lastInputTickMillis;
  private transient SpareTime spareTime;

  /**
   * @param catalog the models and datasets
   * @param factory creates each model's learner
   * @param microBatchSize samples learned together (a checkpoint or an erasure learns a partial
   *     batch first)
   * @param heartbeats when to publish each model's heartbeat
   */
  public LearnerOperator(
      ModelCatalog catalog, LearnerFactory factory, int microBatchSize, Heartbeats heartbeats) {
    this(catalog, factory, microBatchSize, heartbeats, null);
  }

  /**
   * As {@link #LearnerOperator(ModelCatalog, LearnerFactory, int, Heartbeats)}, signing every
   * snapshot with the Ed25519 private key in {@code signingKeyFile} (a path where the operator
   * runs, read at open; null: snapshots are not signed).
   */
  public LearnerOperator(
      ModelCatalog catalog,
      LearnerFactory factory,
      int microBatchSize,
      Heartbeats heartbeats,
      String signingKeyFile) {
    if (microBatchSize <= 0) {
      throw new IllegalArgumentException("micro-batch size must be > 0, was " + microBatchSize);
    }
    this.catalog = catalog;
    this.factory = factory;
    this.microBatchSize = microBatchSize;
    this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    this.signingKeyFile = signingKeyFile;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    learnerState = getPartitionedState(LearnerStateParts.descriptor());
    progressState =
        getPartitionedState(
            new ValueStateDescriptor<>("progress", TypeInformation.of(ModelProgress.class)));
  }

  @Override
  public void open() throws Exception {
    super.open();
    live = new LinkedHashMap<>();
    versions = new HashMap<>();
    lastErasureToSnapshotMillis = new HashMap<>();
    losses = new HashMap<>();
    lastLearnedAtMillis = new HashMap<>();
    newestBufferedTimestamp = new HashMap<>();
    inputLagMillis = new HashMap<>();
    signer = signingKeyFile == null ? null : SnapshotSigner.fromFile(Path.of(signingKeyFile));
    if (signer != null) {
      log.info("signing snapshots with key {}", signer.keyId());
    }
    timers = getInternalTimerService("snapshot-policy", VoidNamespaceSerializer.INSTANCE, this);
    var metrics = getMetricGroup();
    samplesLearned = metrics.counter(JobMetrics.SAMPLES_LEARNED);
    erasuresApplied = metrics.counter(JobMetrics.ERASURES_APPLIED);
    snapshotsPublished = metrics.counter(JobMetrics.SNAPSHOTS_PUBLISHED);
    snapshotsRefused = metrics.counter(JobMetrics.SNAPSHOTS_REFUSED);
    samplesRefused = metrics.counter(JobMetrics.SAMPLES_REFUSED);
    for (ModelSpec model : catalog.models()) {
      var group = metrics.addGroup(JobMetrics.MODEL_GROUP, model.name());
      group.gauge(JobMetrics.MODEL_VERSION, () -> versions.getOrDefault(model.name(), 0L));
      group.gauge(
          JobMetrics.MODEL_ERASURE_TO_SNAPSHOT_MILLIS,
          () -> lastErasureToSnapshotMillis.getOrDefault(model.name(), 0L));
      group.gauge(JobMetrics.MODEL_LOSS, () -> losses.getOrDefault(model.name(), Double.NaN));
      group.gauge(
          JobMetrics.MODEL_INPUT_LAG_MILLIS, () -> inputLagMillis.getOrDefault(model.name(), 0L));
      group.gauge(
          JobMetrics.MODEL_TRAINING_STEPS,
          () -> {
            LiveModel m = live.get(model.name());
            return m == null ? 0L : m.learner.trainingSteps();
          });
    }
    scheduleHeartbeats();
    ProcessingTimeService clock = getProcessingTimeService();
    spareTime = SpareTime.ofThisThread(() -> clock.getCurrentProcessingTime() * 1_000_000L);
    scheduleIdleTraining();
  }

  @Override
  public void processElement(StreamRecord<LearnerCommand> element) throws Exception {
    LearnerCommand command = element.getValue();
    recordsSinceIdleTick++;
    LiveModel model = liveModel(command.model);
    switch (command.kind) {
      case LEARN -> {
        if (element.hasTimestamp()) {
          // the Kafka record's timestamp on the samples topic, carried by every operator since
          newestBufferedTimestamp.put(command.model, element.getTimestamp());
        }
        model.buffer(command);
        markChanged(model);
        if (model.buffered() >= microBatchSize) {
          learnBuffered(model);
        }
      }
      case ERASE_SAMPLES -> {
        // applied at the next timer, checkpoint or task erasure, with any others that came by then
        model.sampleErasures.add(command);
        scheduleSnapshot(
            progress(),
            getProcessingTimeService().getCurrentProcessingTime()
                + model.spec.snapshot().afterErasure().toMillis());
      }
      case ERASE_TASKS -> {
        // before waiting sample erasures: samples of an erased task need no relearning
        learnBuffered(model);
        applyErasure(model, command, model.learner.eraseTasks(command.tasks));
      }
    }
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    LiveModel model = liveModel(timer.getKey());
    ModelProgress fired = progress();
    if (fired.snapshotTimerAt == timer.getTimestamp()) {
      fired.snapshotTimerAt = 0;
      progressState.update(fired);
    }
    learnBuffered(model);
    applySampleErasures(model);
    ModelProgress progress = progress();
    if (progress.changed || !progress.pendingErasures.isEmpty()) {
      publish(model);
    }
  }

  private void scheduleHeartbeats() {
    ProcessingTimeService time = getProcessingTimeService();
    time.registerTimer(
        time.getCurrentProcessingTime() + heartbeats.interval().toMillis(),
        firedAt -> {
          publishHeartbeats(time.getCurrentProcessingTime());
          scheduleHeartbeats();
        });
  }

  private void scheduleIdleTraining() {
    ProcessingTimeService time = getProcessingTimeService();
    time.registerTimer(
        time.getCurrentProcessingTime() + IDLE_TICK.toMillis(),
        firedAt -> {
          trainWhileIdle();
          scheduleIdleTraining();
        });
  }

  /** Lets each live learner take the steps it still owes, within the tick's spare time. */
  private void trainWhileIdle() throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    if (recordsSinceIdleTick > 0) {
      lastInputTickMillis = now;
      recordsSinceIdleTick = 0;
    }
    IdleTick tick = spareTime.tick(now - lastInputTickMillis < QUIET_AFTER.toMillis());
    for (LiveModel model : live.values()) {
      setCurrentKey(model.spec.name());
      if (model.learner.trainWhileIdle(tick) > 0) {
        markChanged(model);
      }
    }
    spareTime.stepsDone();
  }

  /** One heartbeat for each catalog model whose key group this subtask owns. */
  private void publishHeartbeats(long now) throws Exception {
    var task = getRuntimeContext().getTaskInfo();
    for (ModelSpec spec : catalog.models()) {
      String name = spec.name();
      if (spec.shards() > 1) {
        continue; // a sharded model's heartbeat is its ShardMergeOperator's
      }
      int owner =
          KeyGroupRangeAssignment.assignKeyToParallelOperator(
              name, task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks());
      if (owner != task.getIndexOfThisSubtask()) {
        continue;
      }
      setCurrentKey(name);
      ModelProgress progress = progress();
      LiveModel model = live.get(name);
      output.collect(
          new StreamRecord<>(
              heartbeats.heartbeat(
                  spec,
                  now,
                  progress.samplesLearned,
                  progress.version,
                  lastLearnedAtMillis.get(name),
                  model == null ? 0 : model.buffered())));
    }
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
    // The snapshot policy only uses processing time.
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    for (LiveModel model : live.values()) {
      setCurrentKey(model.spec.name());
      learnBuffered(model);
      applySampleErasures(model);
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    for (LiveModel model : live.values()) {
      setCurrentKey(model.spec.name());
      LearnerStateParts.write(learnerState, model.learner.drainChangedState());
    }
    super.snapshotState(context);
  }

  @Override
  public void finish() throws Exception {
    // End of a bounded input: learn what is buffered and publish what is unpublished.
    for (LiveModel model : live.values()) {
      setCurrentKey(model.spec.name());
      learnBuffered(model);
      applySampleErasures(model);
      ModelProgress progress = progress();
      if (progress.changed || !progress.pendingErasures.isEmpty()) {
        publish(model);
      }
    }
    super.finish();
  }

  @Override
  public void close() throws Exception {
    if (live != null) {
      live.values().forEach(m -> m.learner.close());
      live.clear();
    }
    super.close();
  }

  private LiveModel liveModel(String name) throws Exception {
    LiveModel model = live.get(name);
    if (model != null) {
      return model;
    }
    ModelSpec spec =
        catalog
            .model(name)
            .orElseThrow(() -> new IllegalStateException("command for unknown model " + name));
    DatasetSpec dataset = catalog.dataset(spec.dataset()).orElseThrow();
    Map<String, byte[]> restored = LearnerStateParts.read(learnerState);
    if (!restored.isEmpty()) {
      log.info("Restoring model {} from {} checkpointed state parts", name, restored.size());
    }
    model = new LiveModel(spec, factory.create(spec, dataset, restored));
    live.put(name, model);
    versions.put(name, progress().version);
    return model;
  }

  private ModelProgress progress() throws Exception {
    ModelProgress progress = progressState.value();
    return progress == null ? new ModelProgress() : progress;
  }

  private void markChanged(LiveModel model) throws Exception {
    ModelProgress progress = progress();
    if (!progress.changed) {
      progress.changed = true;
      long now = getProcessingTimeService().getCurrentProcessingTime();
      scheduleSnapshot(progress, now + model.spec.snapshot().interval().toMillis());
      progressState.update(progress);
    }
  }

  /**
   * Sets the current model's snapshot timer for {@code at}, unless it is already set for that time
   * or earlier. A model has one timer: were every change and every erasure to add its own, each
   * timer would publish and start the next interval's, and the timers would multiply with the
   * erasures (a snapshot solve each, until the learner did nothing else).
   */
  private void scheduleSnapshot(ModelProgress progress, long at) throws Exception {
    if (progress.snapshotTimerAt != 0 && progress.snapshotTimerAt <= at) {
      return;
    }
    if (progress.snapshotTimerAt != 0) {
      timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, progress.snapshotTimerAt);
    }
    timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
    progress.snapshotTimerAt = at;
    progressState.update(progress);
  }

  /**
   * Applies the sample erasures that came since the last call, in one learner call: the learned
   * samples first, so that every erased sample is learned before it is erased. A learner that pays
   * per task (the hypernetwork) then pays once for a burst of requests.
   */
  private void applySampleErasures(LiveModel model) throws Exception {
    if (model.sampleErasures.isEmpty()) {
      return;
    }
    learnBuffered(model);
    List<LearnerCommand> commands = List.copyOf(model.sampleErasures);
    model.sampleErasures.clear();
    List<ErasureResult> results =
        model.learner.eraseSamplesTogether(
            commands.stream()
                .map(c -> new SampleErasure(c.sampleIds, c.tasks, c.packedFeatures, c.labels))
                .toList());
    for (int i = 0; i < commands.size(); i++) {
      applyErasure(model, commands.get(i), results.get(i));
    }
  }

  private void learnBuffered(LiveModel model) throws Exception {
    if (model.buffered() == 0) {
      return;
    }
    int learned = model.learnBuffered((command, reason) -> refuse(model, command, reason));
    samplesLearned.inc(learned);
    losses.put(model.spec.name(), model.learner.lastLoss());
    Long newest = newestBufferedTimestamp.remove(model.spec.name());
    if (learned > 0) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      lastLearnedAtMillis.put(model.spec.name(), now);
      if (newest != null) {
        inputLagMillis.put(model.spec.name(), Math.max(0, now - newest));
      }
    }
    ModelProgress progress = progress();
    progress.samplesSinceSnapshot += learned;
    progress.samplesLearned += learned;
    progress.changed = true;
    progressState.update(progress);
    if (progress.samplesSinceSnapshot >= model.spec.snapshot().everySamples()) {
      publish(model);
    }
  }

  /** Dead-letters a sample the learner refused (e.g. a label its task has no room for). */
  private void refuse(LiveModel model, LearnerCommand command, String reason) {
    samplesRefused.inc();
    String message =
        "model "
            + model.spec.name()
            + " refused sample "
            + command.sampleIds.get(0)
            + ": "
            + reason;
    output.collect(
        new StreamRecord<>(
            JobDeadLetters.withoutBytes(
                command.sampleIds.get(0),
                DeadLetterEnvelope.Source.unknown(),
                new Rejection(JobDeadLetters.MODEL_REFUSED_SAMPLE, message),
                Instant.ofEpochMilli(getProcessingTimeService().getCurrentProcessingTime()))));
  }

  private void applyErasure(LiveModel model, LearnerCommand command, ErasureResult result)
      throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    erasuresApplied.inc();
    if (result.guarantee() == ErasureGuarantee.REJECTED) {
      // Nothing changed: confirm at once, naming no version.
      emitApplied(model.spec.name(), command.requestId, result, null, now);
      return;
    }
    ModelProgress.PendingErasure pending = new ModelProgress.PendingErasure();
    pending.requestId = command.requestId;
    pending.guarantee = result.guarantee().name();
    pending.reason = result.reason();
    pending.samplesErased = result.samplesErased();
    pending.requestedAtMillis = command.requestedAtMillis;
    pending.appliedAtMillis = now;
    ModelProgress progress = progress();
    progress.pendingErasures.add(pending);
    progress.changed = true;
    scheduleSnapshot(progress, now + model.spec.snapshot().afterErasure().toMillis());
    progressState.update(progress);
  }

  private void publish(LiveModel model) throws Exception {
    ModelProgress progress = progress();
    long version = progress.version + 1;
    long now = getProcessingTimeService().getCurrentProcessingTime();
    List<String> reflected = new ArrayList<>();
    progress.pendingErasures.forEach(p -> reflected.add(p.requestId));
    SnapshotHeader header =
        new SnapshotHeader(
            model.spec.name(),
            version,
            progress.version == 0 ? null : progress.version,
            Instant.ofEpochMilli(now),
            reflected);
    ModelSnapshot snapshot;
    try {
      snapshot = model.learner.snapshot(header);
    } catch (NonFiniteWeightsException | DivergedModelException e) {
      // Keep serving the previous version; the erasures stay pending until a good snapshot.
      snapshotsRefused.inc();
      log.error(
          "Refusing to publish model {} version {}: {}",
          model.spec.name(),
          version,
          e.getMessage());
      // try again an interval later: the changes and erasures are still unpublished
      scheduleSnapshot(progress, now + model.spec.snapshot().interval().toMillis());
      return;
    }
    if (signer != null) {
      signer.sign(snapshot); // last: the signature covers the checksum
    }
    output.collect(
        new StreamRecord<>(
            KafkaOut.of(
                KafkaOut.Kind.MODEL_SNAPSHOT, model.spec.name(), AvroBytes.encode(snapshot))));
    for (ModelProgress.PendingErasure pending : progress.pendingErasures) {
      ErasureResult result =
          new ErasureResult(
              ErasureGuarantee.valueOf(pending.guarantee), pending.reason, pending.samplesErased);
      emitApplied(model.spec.name(), pending.requestId, result, version, pending.appliedAtMillis);
      lastErasureToSnapshotMillis.put(model.spec.name(), now - pending.appliedAtMillis);
    }
    progress.version = version;
    progress.samplesSinceSnapshot = 0;
    progress.changed = false;
    progress.pendingErasures = new ArrayList<>();
    // The next change starts the next interval; erasures still waiting get their own delay.
    if (progress.snapshotTimerAt != 0) {
      timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, progress.snapshotTimerAt);
      progress.snapshotTimerAt = 0;
    }
    if (!model.sampleErasures.isEmpty()) {
      scheduleSnapshot(progress, now + model.spec.snapshot().afterErasure().toMillis());
    }
    progressState.update(progress);
    versions.put(model.spec.name(), version);
    snapshotsPublished.inc();
  }

  private void emitApplied(
      String model, String requestId, ErasureResult result, Long version, long appliedAtMillis) {
    ErasureApplied applied =
        ErasureApplied.newBuilder()
            .setRequestId(requestId)
            .setModel(model)
            .setGuarantee(result.guarantee())
            .setReason(result.reason())
            .setFirstVersionWithout(version)
            .setSamplesErased(result.samplesErased())
            .setAppliedAt(Instant.ofEpochMilli(appliedAtMillis))
            .build();
    output.collect(
        new StreamRecord<>(
            KafkaOut.of(KafkaOut.Kind.ERASURE_APPLIED, requestId, AvroBytes.encode(applied))));
  }

  /** A model's learner in memory and the samples waiting for the next micro-batch. */
  private static final class LiveModel {
    final ModelSpec spec;
    final ModelLearner learner;
    private final Map<String, List<LearnerCommand>> bufferByTask = new LinkedHashMap<>();
    private int buffered;

    /** SAMPLE and SUBJECT erasures not applied yet, in arrival order. */
    final List<LearnerCommand> sampleErasures = new ArrayList<>();

    LiveModel(ModelSpec spec, ModelLearner learner) {
      this.spec = spec;
      this.learner = learner;
    }

    void buffer(LearnerCommand command) {
      bufferByTask.computeIfAbsent(command.task, t -> new ArrayList<>()).add(command);
      buffered++;
    }

    int buffered() {
      return buffered;
    }

    /**
     * Learns the buffered samples, one micro-batch per task in arrival order. A batch the learner
     * refuses (it leaves its state unchanged) is learned again sample by sample, and each sample it
     * still refuses is handed to {@code refused} with the learner's reason.
     *
     * @return samples learned
     */
    int learnBuffered(java.util.function.BiConsumer<LearnerCommand, String> refused) {
      int count = 0;
      for (Map.Entry<String, List<LearnerCommand>> batch : bufferByTask.entrySet()) {
        List<LearnerCommand> commands = batch.getValue();
        try {
          learn(batch.getKey(), commands);
          count += commands.size();
        } catch (IllegalArgumentException batchRefused) {
          for (LearnerCommand command : commands) {
            try {
              learn(batch.getKey(), List.of(command));
              count++;
            } catch (IllegalArgumentException sampleRefused) {
              refused.accept(command, sampleRefused.getMessage());
            }
          }
        }
      }
      bufferByTask.clear();
      buffered = 0;
      return count;
    }

    private void learn(String task, List<LearnerCommand> commands) {
      List<String> ids = new ArrayList<>(commands.size());
      byte[][] packedFeatures = new byte[commands.size()][];
      int[] labels = new int[commands.size()];
      for (int i = 0; i < commands.size(); i++) {
        LearnerCommand c = commands.get(i);
        ids.add(c.sampleIds.get(0));
        packedFeatures[i] = c.packedFeatures[0];
        labels[i] = c.labels[0];
      }
      learner.learn(task, ids, packedFeatures, labels);
    }
  }
}
