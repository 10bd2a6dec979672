package io.lethe.job.ledger;

import io.lethe.job.JobMetrics;
import io.lethe.job.ModelRoutes;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureScope;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The erasure ledger, keyed by subject: remembers what each learned sample contributed, turns
 * SAMPLE and SUBJECT erasures into exact erase commands for the models that learned the data, and
 * keeps a tombstone per erased subject so a late sample from before the erasure is never learned.
 *
 * <p>State per subject: the learned samples (id to {@link LedgerEntry}) and, after a SUBJECT
 * erasure, a tombstone per model holding the erasure's time. Samples are removed as soon as they
 * are erased; tombstones are removed {@code tombstoneRetention} after the erasure, after which the
 * subject has no state at all. A sample arriving later than that with an older event time would be
 * learned: the retention must exceed the stream's maximum lateness.
 *
 * <p>Emits {@link LearnerCommand}s (keyed by model downstream) and, on {@link #OUTPUTS}, one {@code
 * ErasureAffected} per request and a {@code DeadLetter} for each sample it refuses.
 */
public final class ErasureLedger
    extends KeyedCoProcessFunction<String, SampleEvent, ErasureEvent, LearnerCommand> {
  private static final long serialVersionUID = 1L;

  /** Side output: records for Kafka (affected-model decisions and dead letters). */
  public static final OutputTag<KafkaOut> OUTPUTS =
      new OutputTag<>("ledger-outputs", TypeInformation.of(KafkaOut.class));

  private final ModelRoutes routes;
  private final long tombstoneRetentionMillis;

  private transient MapState<String, LedgerEntry> samples;
  private transient MapState<String, Long> tombstones;
  private transient MapState<String, Long> erasedSamples;
  private transient ValueState<Long> tombstoneExpiry;
  private transient Counter samplesRecorded;
  private transient Counter samplesErased;
  private transient Counter lateSamplesRefused;
  private transient Counter duplicatesRefused;

  /**
   * @param routes which models learn which dataset
   * @param tombstoneRetention how long an erased subject's tombstone is kept
   */
  public ErasureLedger(ModelRoutes routes, Duration tombstoneRetention) {
    this.routes = routes;
    this.tombstoneRetentionMillis = tombstoneRetention.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    samples =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "samples", Types.STRING, TypeInformation.of(LedgerEntry.class)));
    tombstones =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("tombstones", Types.STRING, Types.LONG));
    erasedSamples =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("erased-samples", Types.STRING, Types.LONG));
    tombstoneExpiry =
        getRuntimeContext().getState(new ValueStateDescriptor<>("tombstone-expiry", Types.LONG));
    var metrics = getRuntimeContext().getMetricGroup();
    samplesRecorded = metrics.counter(JobMetrics.LEDGER_SAMPLES_RECORDED);
    samplesErased = metrics.counter(JobMetrics.LEDGER_SAMPLES_ERASED);
    lateSamplesRefused = metrics.counter(JobMetrics.LEDGER_LATE_SAMPLES_REFUSED);
    duplicatesRefused = metrics.counter(JobMetrics.LEDGER_DUPLICATES_REFUSED);
  }

  @Override
  public void processElement1(SampleEvent sample, Context ctx, Collector<LearnerCommand> out)
      throws Exception {
    // Tombstones and erased ids exist only while an erasure's expiry is pending: this one lookup
    // spares almost every sample the erased-id lookup and a tombstone lookup per model.
    boolean erasedBefore = tombstoneExpiry.value() != null;
    Long sampleErasedAt = erasedBefore ? erasedSamples.get(sample.sampleId) : null;
    if (sampleErasedAt != null) {
      lateSamplesRefused.inc();
      refuse(
          sample,
          new Rejection(
              Rejection.SAMPLE_ERASED,
              "sample "
                  + sample.sampleId
                  + " was erased at "
                  + Instant.ofEpochMilli(sampleErasedAt)
                  + " and is never learned again"),
          ctx);
      return;
    }
    if (samples.contains(sample.sampleId)) {
      duplicatesRefused.inc();
      refuse(
          sample,
          new Rejection(
              Rejection.DUPLICATE_SAMPLE,
              "sample " + sample.sampleId + " was already learned; duplicate ignored"),
          ctx);
      return;
    }
    List<String> learners = new ArrayList<>();
    List<String> blocked = new ArrayList<>();
    for (String model : routes.modelsLearning(sample.dataset)) {
      Long erasedAt = erasedBefore ? tombstones.get(model) : null;
      if (erasedAt != null && sample.eventTimeMillis <= erasedAt) {
        blocked.add(model);
      } else {
        learners.add(model);
      }
    }
    if (!blocked.isEmpty()) {
      lateSamplesRefused.inc();
      refuse(
          sample,
          new Rejection(
              Rejection.SUBJECT_ERASED,
              "sample "
                  + sample.sampleId
                  + " of subject "
                  + sample.subjectId
                  + " has event time "
                  + Instant.ofEpochMilli(sample.eventTimeMillis)
                  + ", at or before the subject's erasure at "
                  + Instant.ofEpochMilli(tombstones.get(blocked.get(0)))
                  + "; not learned by "
                  + blocked),
          ctx);
    }
    if (learners.isEmpty()) {
      return;
    }
    samples.put(
        sample.sampleId,
        new LedgerEntry(
            sample.task, sample.label, sample.eventTimeMillis, sample.packedFeatures, learners));
    samplesRecorded.inc();
    for (String model : learners) {
      out.collect(LearnerCommand.learn(model, sample));
    }
  }

  @Override
  public void processElement2(ErasureEvent request, Context ctx, Collector<LearnerCommand> out)
      throws Exception {
    if (request.scope == ErasureScope.TASK) {
      throw new IllegalArgumentException(
          "TASK erasure " + request.requestId + " reached the ledger; it goes to the learners");
    }
    Set<String> covered = new HashSet<>();
    for (String model : routes.models()) {
      if (request.covers(model, routes.datasetOf(model))) {
        covered.add(model);
      }
    }
    List<String> ids = new ArrayList<>();
    if (request.scope == ErasureScope.SUBJECT) {
      for (String id : samples.keys()) {
        ids.add(id);
      }
    } else {
      for (String id : request.ids) {
        if (samples.contains(id)) {
          ids.add(id);
        }
        // Remembered whether found or not: a sample erased before it arrives is never learned.
        erasedSamples.put(id, request.requestedAtMillis);
      }
    }

    Map<String, ErasedRows> byModel = new LinkedHashMap<>();
    for (String id : ids) {
      LedgerEntry entry = samples.get(id);
      List<String> keep = new ArrayList<>();
      for (String model : entry.models) {
        if (covered.contains(model)) {
          byModel.computeIfAbsent(model, m -> new ErasedRows()).add(id, entry);
        } else {
          keep.add(model);
        }
      }
      if (keep.isEmpty()) {
        samples.remove(id);
      } else {
        entry.models = keep;
        samples.put(id, entry);
      }
    }
    byModel.forEach((model, rows) -> out.collect(rows.toCommand(model, request)));
    samplesErased.inc(ids.size());

    if (request.scope == ErasureScope.SUBJECT) {
      for (String model : covered) {
        Long previous = tombstones.get(model);
        tombstones.put(
            model,
            previous == null
                ? request.requestedAtMillis
                : Math.max(previous, request.requestedAtMillis));
      }
    }
    long expiry = ctx.timerService().currentProcessingTime() + tombstoneRetentionMillis;
    tombstoneExpiry.update(expiry);
    ctx.timerService().registerProcessingTimeTimer(expiry);

    ErasureAffected affected =
        ErasureAffected.newBuilder()
            .setRequestId(request.requestId)
            .setScope(request.scope)
            .setModels(new ArrayList<>(new TreeSet<>(byModel.keySet())))
            .setSamplesFound(ids.size())
            .setDecidedAt(Instant.ofEpochMilli(ctx.timerService().currentProcessingTime()))
            .build();
    ctx.output(
        OUTPUTS,
        KafkaOut.of(KafkaOut.Kind.ERASURE_AFFECTED, request.requestId, AvroBytes.encode(affected)));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LearnerCommand> out)
      throws Exception {
    // Every erasure registers a timer; only the one for the latest erasure clears.
    Long expiry = tombstoneExpiry.value();
    if (expiry != null && timestamp >= expiry) {
      tombstones.clear();
      erasedSamples.clear();
      tombstoneExpiry.clear();
    }
  }

  /**
   * Dead-letters a refused sample without its bytes, found by its source coordinates: the ledger
   * has only the decoded sample (see {@link JobDeadLetters} for why it does not re-encode it).
   */
  private void refuse(SampleEvent sample, Rejection rejection, Context ctx) {
    DeadLetterEnvelope.Source source =
        sample.sourceTopic == null
            ? DeadLetterEnvelope.Source.unknown()
            : new DeadLetterEnvelope.Source(
                sample.sourceTopic, sample.sourcePartition, sample.sourceOffset);
    ctx.output(
        OUTPUTS,
        JobDeadLetters.withoutBytes(
            sample.subjectId,
            source,
            rejection,
            Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
  }

  /** The rows of one model's erase command, gathered from the ledger. */
  private static final class ErasedRows {
    private final List<String> ids = new ArrayList<>();
    private final List<String> tasks = new ArrayList<>();
    private final List<byte[]> packedFeatures = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    void add(String id, LedgerEntry entry) {
      ids.add(id);
      tasks.add(entry.task);
      packedFeatures.add(entry.packed());
      labels.add(entry.label);
    }

    LearnerCommand toCommand(String model, ErasureEvent request) {
      return LearnerCommand.eraseSamples(
          model,
          request,
          ids,
          tasks,
          packedFeatures.toArray(new byte[0][]),
          labels.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
