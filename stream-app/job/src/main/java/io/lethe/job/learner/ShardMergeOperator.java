package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.job.JobMetrics;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.ShardPartial;
import io.lethe.job.events.ShardReport;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.learners.analytic.AnalyticPartialSums;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.snapshot.NonFiniteWeightsException;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.snapshot.SnapshotSigner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merge of a sharded analytic model, keyed by model: keeps the latest partial sums of each of
 * its shards ({@link ShardLearnerOperator}), and when a checkpoint barrier has come from every
 * shard, solves the model from their sum and publishes it as the next version if the model's {@link
 * io.lethe.catalog.SnapshotPolicy} asks for one, followed by one {@code ErasureApplied} for every
 * erasure that version is the first to reflect. It also publishes the model's heartbeats.
 *
 * <p>Consistency. Shards send their partials just before the barrier of each checkpoint, and this
 * operator decides in {@link #prepareSnapshotPreBarrier}, which Flink calls once the barrier came
 * on every input (aligned checkpoints, the job's mode), so a version merges all shards at the same
 * cut of the input. A SUBJECT or SAMPLE erasure ran on one shard and is confirmed from its report;
 * a TASK erasure ran on every shard, all before one barrier, and is confirmed once all their
 * reports are in: exact if every shard's was, with the samples erased summed and, as reason, the
 * tasks no shard held.
 *
 * <p>The snapshot policy is evaluated at barriers: a version follows an erasure at the next
 * checkpoint (so {@code after-erasure} shorter than the checkpoint interval acts as the interval),
 * and learning alone publishes once {@code interval} has passed since the first unpublished change
 * or {@code every-samples} were learned.
 */
public final class ShardMergeOperator extends AbstractStreamOperator<KafkaOut>
    implements OneInputStreamOperator<ShardPartial, KafkaOut> {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(ShardMergeOperator.class);
  private static final String PROGRESS = "merge-progress";

  private final ModelCatalog catalog;
  private final Heartbeats heartbeats;
  private final String signingKeyFile;
  private transient SnapshotSigner signer;

  private transient MapState<Integer, byte[]> partialSums;
  private transient ValueState<MergeProgress> progressState;
  private transient Set<String> active;
  private transient Counter snapshotsPublished;
  private transient Counter snapshotsRefused;
  private transient Map<String, Long> versions;
  private transient Map<String, Long> lastErasureToSnapshotMillis;

  /**
   * @param catalog the models
   * @param heartbeats when to publish each sharded model's heartbeat
   * @param signingKeyFile Ed25519 private key to sign snapshots with, where the operator runs;
   *     null: unsigned
   */
  public ShardMergeOperator(ModelCatalog catalog, Heartbeats heartbeats, String signingKeyFile) {
    this.catalog = catalog;
    this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    this.signingKeyFile = signingKeyFile;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    partialSums =
        getPartitionedState(
            new MapStateDescriptor<>(
                "partial-sums", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    progressState =
        getPartitionedState(
            new ValueStateDescriptor<>(PROGRESS, TypeInformation.of(MergeProgress.class)));
  }

  @Override
  public void open() throws Exception {
    super.open();
    active = new LinkedHashSet<>();
    // after a restore, models with erasures still unconfirmed are looked at from the first barrier
    org.apache.flink.runtime.state.KeyedStateBackend<String> backend = getKeyedStateBackend();
    try (java.util.stream.Stream<String> keys = backend.getKeys(PROGRESS, VoidNamespace.INSTANCE)) {
      keys.forEach(active::add);
    }
    signer = signingKeyFile == null ? null : SnapshotSigner.fromFile(Path.of(signingKeyFile));
    var metrics = getMetricGroup();
    snapshotsPublished = metrics.counter(JobMetrics.SNAPSHOTS_PUBLISHED);
    snapshotsRefused = metrics.counter(JobMetrics.SNAPSHOTS_REFUSED);
    versions = new java.util.HashMap<>();
    lastErasureToSnapshotMillis = new java.util.HashMap<>();
    for (ModelSpec model : catalog.models()) {
      if (model.shards() > 1) {
        var group = metrics.addGroup(JobMetrics.MODEL_GROUP, model.name());
        group.gauge(JobMetrics.MODEL_VERSION, () -> versions.getOrDefault(model.name(), 0L));
        group.gauge(
            JobMetrics.MODEL_ERASURE_TO_SNAPSHOT_MILLIS,
            () -> lastErasureToSnapshotMillis.getOrDefault(model.name(), 0L));
      }
    }
    scheduleHeartbeats();
  }

  @Override
  public void processElement(StreamRecord<ShardPartial> element) throws Exception {
    ShardPartial partial = element.getValue();
    MergeProgress progress = progress();
    long now = getProcessingTimeService().getCurrentProcessingTime();
    if (progress.samplesLearnedByShard.length <= partial.shard) {
      progress.samplesLearnedByShard =
          java.util.Arrays.copyOf(progress.samplesLearnedByShard, partial.shard + 1);
    }
    if (partial.sums != null) {
      partialSums.put(partial.shard, partial.sums);
      if (!progress.changed) {
        progress.changed = true;
        progress.changedSinceMillis = now;
      }
      progress.samplesSinceSnapshot +=
          partial.samplesLearned - progress.samplesLearnedByShard[partial.shard];
      progress.samplesLearnedByShard[partial.shard] = partial.samplesLearned;
      progress.lastLearnedAtMillis =
          Math.max(progress.lastLearnedAtMillis, partial.lastLearnedAtMillis);
    }
    for (ShardReport report : partial.reports) {
      if (report.expectedReports == 1
          && ErasureGuarantee.valueOf(report.guarantee) == ErasureGuarantee.REJECTED) {
        // nothing changed: confirm at once, naming no version
        emitApplied(partial.model, report, ErasureGuarantee.REJECTED, report.reason, 0, null);
      } else {
        progress.pending.add(report);
      }
    }
    progressState.update(progress);
    active.add(partial.model);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    publishDue(false);
  }

  @Override
  public void finish() throws Exception {
    publishDue(true); // end of a bounded input: publish what is unpublished
    super.finish();
  }

  private void publishDue(boolean all) throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    for (String model : List.copyOf(active)) {
      setCurrentKey(model);
      MergeProgress progress = progress();
      ModelSpec spec = catalog.model(model).orElseThrow();
      Map<String, List<ShardReport>> ready = readyErasures(progress);
      boolean due =
          !ready.isEmpty()
              || (progress.changed
                  && (all
                      || now - progress.changedSinceMillis >= spec.snapshot().interval().toMillis()
                      || progress.samplesSinceSnapshot >= spec.snapshot().everySamples()));
      if (due) {
        publish(spec, progress, ready, now);
      }
      if (!progress.changed && progress.pending.isEmpty()) {
        active.remove(model);
      }
    }
  }

  /** The pending erasures with all the reports they need, by request id in arrival order. */
  private static Map<String, List<ShardReport>> readyErasures(MergeProgress progress) {
    Map<String, List<ShardReport>> byRequest = new LinkedHashMap<>();
    for (ShardReport report : progress.pending) {
      byRequest.computeIfAbsent(report.requestId, r -> new ArrayList<>()).add(report);
    }
    byRequest.values().removeIf(reports -> reports.size() < reports.get(0).expectedReports);
    return byRequest;
  }

  private void publish(
      ModelSpec spec, MergeProgress progress, Map<String, List<ShardReport>> ready, long now)
      throws Exception {
    long version = progress.version + 1;
    SnapshotHeader header =
        new SnapshotHeader(
            spec.name(),
            version,
            progress.version == 0 ? null : progress.version,
            Instant.ofEpochMilli(now),
            List.copyOf(ready.keySet()));
    DatasetSpec dataset = catalog.dataset(spec.dataset()).orElseThrow();
    AnalyticSettings settings = AnalyticModelLearner.settings(spec, dataset);
    // decoded one at a time as the merge adds them
    Iterable<AnalyticPartialSums> shards =
        () -> {
          try {
            java.util.Iterator<byte[]> bytes = partialSums.values().iterator();
            return new java.util.Iterator<>() {
              @Override
              public boolean hasNext() {
                return bytes.hasNext();
              }

              @Override
              public AnalyticPartialSums next() {
                return AnalyticPartialSums.decode(bytes.next());
              }
            };
          } catch (Exception e) {
            throw new IllegalStateException("cannot read the partial sums of " + spec.name(), e);
          }
        };
    ModelSnapshot snapshot;
    try {
      snapshot = AnalyticPartialSums.mergeSnapshot(settings, shards, header);
    } catch (NonFiniteWeightsException e) {
      // Keep serving the previous version; the erasures stay pending until a good snapshot.
      snapshotsRefused.inc();
      log.error(
          "Refusing to publish model {} version {}: {}", spec.name(), version, e.getMessage());
      return;
    }
    if (signer != null) {
      signer.sign(snapshot); // last: the signature covers the checksum
    }
    output.collect(
        new StreamRecord<>(
            KafkaOut.of(KafkaOut.Kind.MODEL_SNAPSHOT, spec.name(), AvroBytes.encode(snapshot))));
    for (List<ShardReport> reports : ready.values()) {
      confirm(spec.name(), reports, version);
      long appliedAt = reports.stream().mapToLong(r -> r.appliedAtMillis).max().orElse(now);
      lastErasureToSnapshotMillis.put(spec.name(), now - appliedAt);
    }
    versions.put(spec.name(), version);
    progress.pending.removeIf(r -> ready.containsKey(r.requestId));
    progress.version = version;
    progress.changed = false;
    progress.samplesSinceSnapshot = 0;
    progressState.update(progress);
    snapshotsPublished.inc();
  }

  /** One confirmation from the reports of every shard the request ran on. */
  private void confirm(String model, List<ShardReport> reports, long version) {
    ShardReport first = reports.get(0);
    if (reports.size() == 1) {
      emitApplied(
          model,
          first,
          ErasureGuarantee.valueOf(first.guarantee),
          first.reason,
          first.samplesErased,
          version);
      return;
    }
    long erased = 0;
    long appliedAt = 0;
    List<String> rejections = new ArrayList<>();
    List<String> heldNowhere = new ArrayList<>(first.tasks);
    for (ShardReport report : reports) {
      erased += report.samplesErased;
      appliedAt = Math.max(appliedAt, report.appliedAtMillis);
      heldNowhere.retainAll(report.tasksNotHeld);
      if (ErasureGuarantee.valueOf(report.guarantee) == ErasureGuarantee.REJECTED) {
        rejections.add(report.reason);
      }
    }
    ShardReport merged = new ShardReport();
    merged.requestId = first.requestId;
    merged.appliedAtMillis = appliedAt;
    if (!rejections.isEmpty()) {
      emitApplied(
          model, merged, ErasureGuarantee.REJECTED, String.join("; ", rejections), erased, version);
      return;
    }
    // as the unsharded analytic learner words it
    String reason =
        heldNowhere.isEmpty()
            ? null
            : "task(s) "
                + String.join(", ", heldNowhere)
                + " not learned by this model; nothing to erase there";
    emitApplied(model, merged, ErasureGuarantee.EXACT, reason, erased, version);
  }

  private void emitApplied(
      String model,
      ShardReport report,
      ErasureGuarantee guarantee,
      String reason,
      long samplesErased,
      Long version) {
    ErasureApplied applied =
        ErasureApplied.newBuilder()
            .setRequestId(report.requestId)
            .setModel(model)
            .setGuarantee(guarantee)
            .setReason(reason)
            .setFirstVersionWithout(version)
            .setSamplesErased(samplesErased)
            .setAppliedAt(Instant.ofEpochMilli(report.appliedAtMillis))
            .build();
    output.collect(
        new StreamRecord<>(
            KafkaOut.of(
                KafkaOut.Kind.ERASURE_APPLIED, report.requestId, AvroBytes.encode(applied))));
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

  /**
   * One heartbeat for each sharded model whose key group this subtask owns: the samples all shards
   * learned (as of their last partials), the version, and no buffered samples (shards learn their
   * buffers at every barrier).
   */
  private void publishHeartbeats(long now) throws Exception {
    var task = getRuntimeContext().getTaskInfo();
    for (ModelSpec spec : catalog.models()) {
      String name = spec.name();
      if (spec.shards() == 1
          || KeyGroupRangeAssignment.assignKeyToParallelOperator(
                  name, task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks())
              != task.getIndexOfThisSubtask()) {
        continue;
      }
      setCurrentKey(name);
      MergeProgress progress = progress();
      long learned = 0;
      for (long shardLearned : progress.samplesLearnedByShard) {
        learned += shardLearned;
      }
      output.collect(
          new StreamRecord<>(
              heartbeats.heartbeat(
                  spec,
                  now,
                  learned,
                  progress.version,
                  progress.lastLearnedAtMillis == 0 ? null : progress.lastLearnedAtMillis,
                  0)));
    }
  }

  private MergeProgress progress() throws Exception {
    MergeProgress progress = progressState.value();
    return progress == null ? new MergeProgress() : progress;
  }

  /** A sharded model's bookkeeping in Flink state. A Flink POJO. */
  public static final class MergeProgress {
    /** Last version published (0 before the first). */
    public long version;

    /** Whether a shard's sums changed since the last version. */
    public boolean changed;

    /** When the first change since the last version came, epoch ms. */
    public long changedSinceMillis;

    /** Samples the shards learned since the last version. */
    public long samplesSinceSnapshot;

    /** Samples each shard learned in total, as of its last partial. */
    public long[] samplesLearnedByShard = new long[0];

    /** When a shard last learned, epoch ms (0: never). */
    public long lastLearnedAtMillis;

    /** Shard reports of erasures not yet in a published version, in arrival order. */
    public List<ShardReport> pending = new ArrayList<>();

    /** For Flink's POJO serializer. */
    public MergeProgress() {}
  }
}
