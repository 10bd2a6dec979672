package io.lethe.serving;

import io.lethe.learners.ScoringThreads;
import io.lethe.learners.analytic.AnalyticScorer;
import io.lethe.learners.analytic.BufferLayers;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.snapshot.SnapshotChecksum;
import io.lethe.schemas.snapshot.TrustedKeys;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models being served, newest verified version per model, and the rules for taking a new
 * snapshot in.
 *
 * <p>A snapshot is swapped in only if its checksum verifies, its signature verifies against a
 * trusted key (when the service has trusted keys), its version is newer than the one served, and it
 * decodes and answers a warm-up prediction; otherwise it is refused with a log line and a {@code
 * lethe_serving_snapshots_refused_total} count, and the current version keeps serving. The swap
 * itself is one map write: a request sees either the old or the new version, never a mix. Snapshots
 * are offered by one thread (the follower); requests read from any number.
 */
final class ModelTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelTable.class);

  /** Why a snapshot was not served. */
  enum Refusal {
    CHECKSUM("checksum"),
    STALE_VERSION("stale_version"),
    INVALID("invalid"),
    UNDECODABLE("undecodable"),
    TOMBSTONE("tombstone"),
    UNSIGNED("unsigned"),
    UNKNOWN_KEY("unknown_key"),
    BAD_SIGNATURE("bad_signature");

    final String label;

    Refusal(String label) {
      this.label = label;
    }
  }

  private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
  private final ServiceMetrics metrics;
  private final Clock clock;
  private final TrustedKeys trusted;
  private final ScoringSettings scoring;

  /** W_B of the analytic models, shared by their successive versions (drawn once, not per swap). */
  private final BufferLayers bufferLayers;

  ModelTable(ServiceMetrics metrics, Clock clock) {
    this(metrics, clock, null, ScoringSettings.defaults());
  }

  /**
   * @param trusted the keys whose signatures are accepted; null: snapshots are not authenticated
   * @param scoring how served versions batch and score requests
   */
  ModelTable(ServiceMetrics metrics, Clock clock, TrustedKeys trusted, ScoringSettings scoring) {
    this.metrics = metrics;
    this.clock = clock;
    this.trusted = trusted;
    this.scoring = scoring;
    this.bufferLayers = new BufferLayers(scoring.bufferPrecision());
  }

  /**
   * Verifies, loads and warms {@code snapshot}, then swaps it in.
   *
   * @return the refusal, or empty if the snapshot is now served
   */
  Optional<Refusal> offer(ModelSnapshot snapshot) {
    String name = snapshot.getModel();
    long version = snapshot.getVersion();
    if (!SnapshotChecksum.verify(snapshot)) {
      return refuse(name, Refusal.CHECKSUM, "v" + version + " fails its checksum");
    }
    if (trusted != null) {
      Optional<Refusal> unauthentic = authenticate(snapshot);
      if (unauthentic.isPresent()) {
        return unauthentic;
      }
    }
    ServedModel current = models.get(name);
    if (current != null && version <= current.version()) {
      return refuse(
          name,
          Refusal.STALE_VERSION,
          "v" + version + " is not newer than the served v" + current.version());
    }
    long started = System.nanoTime();
    Scorer scorer;
    try {
      scorer = Scorers.fromSnapshot(snapshot, bufferLayers);
    } catch (RuntimeException e) {
      return refuse(name, Refusal.INVALID, "v" + version + " does not load: " + e.getMessage());
    }
    try {
      // a new analytic version on the buffer layer its predecessor scores with brings only a new
      // head: the layer's first version warmed every batch size on it, and all sizes again would
      // only take a core from the requests around the swap
      boolean onlyHeadIsNew = scorer instanceof AnalyticScorer a && a.sharesWarmBufferLayer();
      warm(scorer, onlyHeadIsNew ? 1 : scoring.maxBatch());
    } catch (RuntimeException e) {
      scorer.close();
      return refuse(name, Refusal.INVALID, "v" + version + " fails its warm-up: " + e.getMessage());
    }
    ServedModel next =
        new ServedModel(
            name,
            snapshot.getLearner(),
            version,
            snapshot.getCreatedAt(),
            clock.instant(),
            snapshot.getLineage(),
            snapshot.getSigningKeyId(),
            scorer,
            scoring,
            metrics.batchRows.labelValues(name)::observe);
    ServedModel previous = models.put(name, next);
    if (previous != null) {
      previous.retire();
    }
    metrics.swapSeconds.labelValues(name).observe((System.nanoTime() - started) / 1e9);
    metrics.snapshotsLoaded.labelValues(name).inc();
    metrics.servedVersion.labelValues(name).set(version);
    LOG.info(
        "serving {} v{} ({}){}",
        name,
        version,
        snapshot.getLearner(),
        previous == null ? "" : ", replacing v" + previous.version());
    return Optional.empty();
  }

  private Optional<Refusal> authenticate(ModelSnapshot snapshot) {
    String name = snapshot.getModel();
    String v = "v" + snapshot.getVersion();
    return switch (trusted.check(snapshot)) {
      case VALID -> Optional.empty();
      case UNSIGNED -> refuse(name, Refusal.UNSIGNED, v + " is not signed");
      case UNKNOWN_KEY ->
          refuse(
              name,
              Refusal.UNKNOWN_KEY,
              v
                  + " is signed by key "
                  + snapshot.getSigningKeyId()
                  + ", which is not among the trusted keys "
                  + trusted.keyIds());
      case BAD_SIGNATURE ->
          refuse(
              name,
              Refusal.BAD_SIGNATURE,
              v + "'s signature does not verify with key " + snapshot.getSigningKeyId());
    };
  }

  /**
   * Scores every batch size a request can meet (1, 2, 4, ... up to {@code maxBatch}) before the
   * version takes traffic, for the first task (a class-incremental model has none): the native
   * library sets up its kernels and buffers per size and the new weights are paged in, so that
   * requests right after a swap run as fast as the rest. (The Java side is compiled already by the
   * requests of the versions before; a first version warms it with its first requests.)
   */
  static void warm(Scorer scorer, int maxBatch) {
    if (scorer.isEmpty()) {
      return; // all erased: served so that it replaces the older version, but it scores nothing
    }
    // as a request thread scores (one intra-op thread), and leaving the other core to requests
    ScoringThreads.useIntraOpThreads(1);
    List<String> tasks = scorer.tasks();
    String task = tasks.isEmpty() ? null : tasks.get(0);
    float[][] rows = new float[maxBatch][scorer.inputDim()];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < rows[r].length; c++) {
        rows[r][c] = ((r * 31 + c * 17) % 256) / 255f; // in the range of the features, not zero
      }
    }
    for (int size = 1; ; size = Math.min(maxBatch, size * 2)) {
      float[][] batch = Arrays.copyOf(rows, size);
      for (int round = 0; round < WARM_ROUNDS; round++) {
        scorer.predict(task, batch);
      }
      if (size == maxBatch) {
        return;
      }
    }
  }

  /** Products per batch size in {@link #warm}: the first at a size is the one that sets up. */
  private static final int WARM_ROUNDS = 1;

  /** Counts and logs a record that could not be read as a snapshot at all. */
  Optional<Refusal> refuse(String model, Refusal refusal, String why) {
    metrics.snapshotsRefused.labelValues(model, refusal.label).inc();
    ServedModel current = models.get(model);
    LOG.warn(
        "refused a snapshot of {} ({}): {}; {}",
        model,
        refusal.label,
        why,
        current == null ? "no version is served yet" : "still serving v" + current.version());
    return Optional.of(refusal);
  }

  /**
   * The current version of {@code model} with a reference taken, or null if the model is unknown.
   * The caller must {@link ServedModel#release()} it.
   */
  ServedModel acquire(String model) {
    while (true) {
      ServedModel served = models.get(model);
      if (served == null || served.acquire()) {
        return served;
      }
      // retired between the read and the acquire: the table already holds a newer version
    }
  }

  /** The current versions, for listing (no references taken: read only the metadata). */
  Collection<ServedModel> current() {
    return List.copyOf(models.values());
  }

  @Override
  public void close() {
    models.values().forEach(ServedModel::retire);
    models.clear();
  }
}
