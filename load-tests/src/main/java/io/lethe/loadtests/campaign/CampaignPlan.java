package io.lethe.loadtests.campaign;

import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.TrainingSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded bad-input campaign: valid training samples and erasure requests interleaved with
 * malformed, oversized, invalid, duplicate and reused-id records, as a list of sends to the raw
 * topics. The same seed and sizes give the same sends, so a failure can be replayed.
 *
 * <p>Every sample is stamped before every erasure, so a sample of an erased subject is never
 * retained whatever order the job sees them in: it is either learned and then erased, or refused as
 * late. Reused request ids name subjects that are never erased, so their samples must stay learned.
 */
public final class CampaignPlan {
  /** The campaign's dataset: small, so that the offline retrain is quick. */
  public static final String DATASET = "campaign";

  /** Features of the campaign's dataset. */
  public static final int FEATURES = 16;

  /** Classes of the campaign's dataset: two tasks of two classes. */
  public static final int CLASSES = 4;

  /** Bound on a feature's magnitude: valid features are a few units; flips go far beyond. */
  public static final double MAX_ABS_FEATURE = 100;

  /** The campaign's analytic model. */
  public static final String MODEL = "campaign-analytic";

  /** The model's buffer size, gamma and seed (also what the offline retrain uses). */
  public static final int BUFFER_SIZE = 64;

  /** Ridge strength of the campaign's model. */
  public static final double GAMMA = 0.1;

  /** Buffer-layer seed of the campaign's model. */
  public static final long SEED = 7;

  /** Event time of the first sample; erasures are requested a day later. */
  public static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  /** Which topic a send goes to. */
  public enum Target {
    SAMPLES,
    ERASURES
  }

  /** What the campaign means a send to test, for the report. */
  public enum Kind {
    VALID_SAMPLE,
    RANDOM_BYTES,
    BIT_FLIP,
    UNKNOWN_SCHEMA_ID,
    WRONG_SCHEMA_TYPE,
    OVERSIZED,
    INVALID_SAMPLE,
    DUPLICATE_SAMPLE,
    VALID_ERASURE,
    INVALID_ERASURE,
    ERASURE_RETRY,
    REUSED_REQUEST_ID
  }

  /**
   * One record to send: a typed record (encoded by the sender with the topic's serde), or raw
   * bytes; {@code flipBits} &gt; 0 flips that many bits of the encoded sample first; {@code
   * partition} is -1 for the partition of {@code partitionKey}, or of the key when that is null.
   *
   * <p>A retry or a reused request id goes to the partition of its original request: the first copy
   * of an id to reach the ingress's tracker defines its content, and only one partition keeps the
   * copies in the order they were sent.
   */
  public record Send(
      Target target,
      Kind kind,
      String key,
      int partition,
      TrainingSample sample,
      ErasureRequest erasure,
      byte[] raw,
      int flipBits,
      int paddingBytes,
      String partitionKey) {

    /** A send to the partition of its own key (or an explicit one). */
    public Send(
        Target target,
        Kind kind,
        String key,
        int partition,
        TrainingSample sample,
        ErasureRequest erasure,
        byte[] raw,
        int flipBits,
        int paddingBytes) {
      this(target, kind, key, partition, sample, erasure, raw, flipBits, paddingBytes, null);
    }
  }

  /** Sizes of a campaign. */
  public record Sizes(
      int validSamples,
      int subjects,
      int randomBytes,
      int bitFlips,
      int schemaIds,
      int invalidSamples,
      int duplicates,
      int subjectErasures,
      int sampleErasures,
      int invalidErasures,
      int retries,
      int reuses,
      List<Integer> oversizedBytes) {

    /** Over 10,000 bad records around 3,000 valid samples; CI's size. */
    public static Sizes ci(int recordLimit) {
      return new Sizes(
          3_000,
          200,
          2_500,
          2_500,
          1_500,
          2_000,
          1_200,
          30,
          15,
          400,
          30,
          30,
          List.of(recordLimit + 1, recordLimit + 100, 2 * recordLimit, 5_000_000, 16_000_000));
    }

    /**
     * The CI campaign's kinds and proportions, scaled to a paced run of {@code duration}: the CI
     * size for every {@link #SOAK_MINUTES_PER_CI_SIZE} minutes (oversized records stay five).
     */
    public static Sizes soak(int recordLimit, java.time.Duration duration) {
      double factor = duration.toMillis() / (SOAK_MINUTES_PER_CI_SIZE * 60_000.0);
      return ci(recordLimit).scaled(factor);
    }

    /** Minutes of a paced run that send as much as one CI campaign (about 45 records a second). */
    public static final int SOAK_MINUTES_PER_CI_SIZE = 5;

    /** Each count times {@code factor} (at least one each), the oversized records unchanged. */
    public Sizes scaled(double factor) {
      java.util.function.IntUnaryOperator by = n -> (int) Math.max(1, Math.round(n * factor));
      return new Sizes(
          by.applyAsInt(validSamples),
          by.applyAsInt(subjects),
          by.applyAsInt(randomBytes),
          by.applyAsInt(bitFlips),
          by.applyAsInt(schemaIds),
          by.applyAsInt(invalidSamples),
          by.applyAsInt(duplicates),
          by.applyAsInt(subjectErasures),
          by.applyAsInt(sampleErasures),
          by.applyAsInt(invalidErasures),
          by.applyAsInt(retries),
          by.applyAsInt(reuses),
          oversizedBytes);
    }

    /** Bad records, everything that is not a valid sample or a valid first erasure. */
    public int badRecords() {
      return randomBytes
          + bitFlips
          + 2 * schemaIds
          + invalidSamples
          + duplicates
          + invalidErasures
          + retries
          + reuses
          + oversizedBytes.size();
    }
  }

  private final long seed;
  private final Sizes sizes;
  private final List<Send> sends = new ArrayList<>();

  private CampaignPlan(long seed, Sizes sizes) {
    this.seed = seed;
    this.sizes = sizes;
  }

  /** The plan of {@code sizes} drawn from {@code seed}. */
  public static CampaignPlan of(long seed, Sizes sizes) {
    CampaignPlan plan = new CampaignPlan(seed, sizes);
    plan.draw(new Random(seed));
    return plan;
  }

  /** The seed it was drawn from. */
  public long seed() {
    return seed;
  }

  /** Its sizes. */
  public Sizes sizes() {
    return sizes;
  }

  /** The sends, in order. */
  public List<Send> sends() {
    return Collections.unmodifiableList(sends);
  }

  /** How many sends go to {@code target}. */
  public long count(Target target) {
    return sends.stream().filter(s -> s.target() == target).count();
  }

  /** How many sends are of {@code kind}. */
  public long count(Kind kind) {
    return sends.stream().filter(s -> s.kind() == kind).count();
  }

  private void draw(Random random) {
    List<TrainingSample> valid = new ArrayList<>();
    for (int i = 0; i < sizes.validSamples(); i++) {
      valid.add(sample(random, "v-" + i, "c-" + random.nextInt(sizes.subjects()), i));
    }
    // Subjects 0..n-1 are erased; the reused ids point at subjects from the other end, never
    // erased.
    List<Send> samples = new ArrayList<>();
    valid.forEach(s -> samples.add(sample(Kind.VALID_SAMPLE, s.getSubjectId(), -1, s, 0)));
    List<Send> bad = new ArrayList<>();
    for (int i = 0; i < sizes.randomBytes(); i++) {
      byte[] bytes = new byte[random.nextInt(2_000)];
      random.nextBytes(bytes);
      if (i % 5 == 0 && bytes.length > 0) {
        bytes[0] = 0; // Confluent's magic byte, so the schema id is read too
      }
      Target target = i % 4 == 0 ? Target.ERASURES : Target.SAMPLES;
      bad.add(raw(target, Kind.RANDOM_BYTES, i % 7 == 0 ? null : "k-" + i, bytes));
    }
    for (int i = 0; i < sizes.bitFlips(); i++) {
      // Subjects of their own ("zq-"), never erased, so a flip that turns into a valid sample is
      // simply learned.
      TrainingSample s = sample(random, "fq-" + i, "zq-" + random.nextInt(50), i);
      bad.add(sample(Kind.BIT_FLIP, s.getSubjectId(), -1, s, 1 + random.nextInt(3)));
    }
    for (int i = 0; i < sizes.schemaIds(); i++) {
      int unknownId = 90_000 + random.nextInt(10_000);
      byte[] framed = new byte[5 + random.nextInt(200)];
      random.nextBytes(framed);
      framed[0] = 0;
      framed[1] = (byte) (unknownId >>> 24);
      framed[2] = (byte) (unknownId >>> 16);
      framed[3] = (byte) (unknownId >>> 8);
      framed[4] = (byte) unknownId;
      bad.add(
          raw(i % 2 == 0 ? Target.SAMPLES : Target.ERASURES, Kind.UNKNOWN_SCHEMA_ID, "u", framed));
      // A record of the other topic's type: a registered schema id, the wrong record.
      if (i % 2 == 0) {
        bad.add(
            new Send(
                Target.SAMPLES,
                Kind.WRONG_SCHEMA_TYPE,
                "w-" + i,
                -1,
                null,
                erasure("w-" + i, "c-0", ErasureScope.SUBJECT),
                null,
                0,
                0));
      } else {
        bad.add(
            new Send(
                Target.ERASURES,
                Kind.WRONG_SCHEMA_TYPE,
                "w-" + i,
                -1,
                sample(random, "w-" + i, "zq-0", i),
                null,
                null,
                0,
                0));
      }
    }
    for (int i = 0; i < sizes.invalidSamples(); i++) {
      TrainingSample s = sample(random, "x-" + i, "zq-" + random.nextInt(50), i);
      TrainingSample.Builder broken = TrainingSample.newBuilder(s);
      List<Float> features = new ArrayList<>(s.getFeatures());
      switch (i % 9) {
        case 0 -> features.set(random.nextInt(FEATURES), Float.NaN);
        case 1 -> features.set(random.nextInt(FEATURES), Float.POSITIVE_INFINITY);
        case 2 -> features.remove(0);
        case 3 -> features.add(0.5f);
        case 4 -> broken.setLabel(CLASSES + random.nextInt(1_000));
        case 5 -> broken.setLabel(-1 - random.nextInt(10));
        case 6 -> broken.setDataset("no-such-dataset");
        case 7 -> broken.setSampleId(" ");
        default -> broken.setSubjectId("");
      }
      broken.setFeatures(features);
      bad.add(sample(Kind.INVALID_SAMPLE, "k-" + i, -1, broken.build(), 0));
    }
    for (int i = 0; i < sizes.duplicates(); i++) {
      TrainingSample original = valid.get(random.nextInt(valid.size()));
      TrainingSample copy =
          i % 3 == 0
              ? TrainingSample.newBuilder(original).setLabel((original.getLabel() + 1) % 2).build()
              : original;
      // Half under another key (and so possibly another partition), half on a chosen partition.
      String key = i % 2 == 0 ? original.getSubjectId() : "other-" + i;
      bad.add(sample(Kind.DUPLICATE_SAMPLE, key, i % 4 == 1 ? i % 2 : -1, copy, 0));
    }
    for (int bytes : sizes.oversizedBytes()) {
      TrainingSample s = sample(random, "big-" + bytes, "zq-1", 0);
      bad.add(sample(Kind.OVERSIZED, "zq-1", -1, s, bytes));
    }
    bad.add(
        new Send(
            Target.ERASURES,
            Kind.OVERSIZED,
            "zq-1",
            -1,
            null,
            erasure("big-erasure", "zq-1", ErasureScope.SUBJECT),
            null,
            0,
            sizes.oversizedBytes().get(0)));
    for (int i = 0; i < sizes.invalidErasures(); i++) {
      ErasureRequest.Builder broken =
          ErasureRequest.newBuilder(erasure("bad-" + i, "c-" + i % 10, ErasureScope.SUBJECT));
      switch (i % 6) {
        case 0 -> broken.setIds(List.of());
        case 1 -> broken.setRequester(" ");
        case 2 -> broken.setModels(List.of("no-such-model"));
        case 3 -> broken.setIds(List.of("c-1", "c-2"));
        case 4 -> broken.setScope(ErasureScope.SAMPLE).setSubjectId(null);
        default -> broken.setDataset("no-such-dataset");
      }
      bad.add(erasureSend(Kind.INVALID_ERASURE, broken.build()));
    }

    // Valid erasures go after most of the traffic; retries and reuses after their originals.
    List<Send> erasures = new ArrayList<>();
    List<ErasureRequest> executed = new ArrayList<>();
    for (int i = 0; i < sizes.subjectErasures(); i++) {
      executed.add(erasure("subject-" + i, "c-" + i, ErasureScope.SUBJECT));
    }
    for (int i = 0; i < sizes.sampleErasures(); i++) {
      String subject = "c-" + (sizes.subjectErasures() + i);
      List<String> ids =
          valid.stream()
              .filter(s -> s.getSubjectId().equals(subject))
              .map(TrainingSample::getSampleId)
              .limit(3)
              .toList();
      executed.add(
          ErasureRequest.newBuilder(erasure("sample-" + i, subject, ErasureScope.SAMPLE))
              .setIds(ids.isEmpty() ? List.of("v-none-" + i) : ids)
              .setSubjectId(subject)
              .build());
    }
    executed.forEach(e -> erasures.add(erasureSend(Kind.VALID_ERASURE, e)));
    List<Send> repeats = new ArrayList<>();
    for (int i = 0; i < sizes.retries(); i++) {
      ErasureRequest original = executed.get(i % executed.size());
      // A retry may carry a new issue time; the content is the same.
      repeats.add(
          repeatOf(
              original,
              erasureSend(
                  Kind.ERASURE_RETRY,
                  ErasureRequest.newBuilder(original)
                      .setRequestedAt(original.getRequestedAt().plusSeconds(1))
                      .build())));
    }
    for (int i = 0; i < sizes.reuses(); i++) {
      ErasureRequest original = executed.get(i % executed.size());
      String neverErased = "c-" + (sizes.subjects() - 1 - i);
      repeats.add(
          repeatOf(
              original,
              erasureSend(
                  Kind.REUSED_REQUEST_ID,
                  erasure(original.getRequestId(), neverErased, ErasureScope.SUBJECT))));
    }

    // Interleave: samples and bad records shuffled together, erasures spread over the last half,
    // each repeat after its original.
    List<Send> traffic = new ArrayList<>(samples);
    traffic.addAll(bad);
    Collections.shuffle(traffic, random);
    int half = traffic.size() / 2;
    for (Send erasure : erasures) {
      traffic.add(half + random.nextInt(traffic.size() - half), erasure);
    }
    sends.addAll(traffic);
    for (Send repeat : repeats) {
      int after = indexOf(repeat.erasure().getRequestId(), Kind.VALID_ERASURE) + 1;
      sends.add(after + random.nextInt(sends.size() - after + 1), repeat);
    }
  }

  private int indexOf(String requestId, Kind kind) {
    for (int i = 0; i < sends.size(); i++) {
      Send send = sends.get(i);
      if (send.kind() == kind && send.erasure().getRequestId().equals(requestId)) {
        return i;
      }
    }
    throw new IllegalStateException("no " + kind + " " + requestId);
  }

  private static Send sample(
      Kind kind, String key, int partition, TrainingSample sample, int flipBitsOrPadding) {
    boolean oversized = kind == Kind.OVERSIZED;
    return new Send(
        Target.SAMPLES,
        kind,
        key,
        partition,
        sample,
        null,
        null,
        oversized ? 0 : flipBitsOrPadding,
        oversized ? flipBitsOrPadding : 0);
  }

  /** {@code repeat}, sent to the partition of {@code original}'s key. */
  private static Send repeatOf(ErasureRequest original, Send repeat) {
    Send first = erasureSend(Kind.VALID_ERASURE, original);
    return new Send(
        repeat.target(),
        repeat.kind(),
        repeat.key(),
        -1,
        null,
        repeat.erasure(),
        null,
        0,
        0,
        first.key());
  }

  private static Send raw(Target target, Kind kind, String key, byte[] bytes) {
    return new Send(target, kind, key, -1, null, null, bytes, 0, 0);
  }

  private static Send erasureSend(Kind kind, ErasureRequest erasure) {
    String key =
        erasure.getScope() == ErasureScope.SAMPLE && erasure.getSubjectId() != null
            ? erasure.getSubjectId()
            : erasure.getIds().isEmpty() ? "none" : erasure.getIds().get(0);
    return new Send(Target.ERASURES, kind, key, -1, null, erasure, null, 0, 0);
  }

  /** A valid sample: task 0 holds classes 0-1, task 1 classes 2-3. */
  private static TrainingSample sample(Random random, String id, String subject, int index) {
    int task = random.nextInt(2);
    int label = 2 * task + random.nextInt(2);
    List<Float> features = new ArrayList<>(FEATURES);
    for (int j = 0; j < FEATURES; j++) {
      // Class-dependent means, so the model has something to learn.
      features.add((float) (random.nextGaussian() * 0.5 + (j % CLASSES == label ? 1.0 : 0.0)));
    }
    return TrainingSample.newBuilder()
        .setSampleId(id)
        .setSubjectId(subject)
        .setDataset(DATASET)
        .setTask(Integer.toString(task))
        .setFeatures(features)
        .setLabel(label)
        .setEventTime(T0.plusMillis(index))
        .setAttributes(Map.of("campaign", "true"))
        .build();
  }

  private static ErasureRequest erasure(String requestId, String id, ErasureScope scope) {
    return ErasureRequest.newBuilder()
        .setRequestId(requestId)
        .setScope(scope)
        .setIds(List.of(id))
        .setSubjectId(null)
        .setDataset(null)
        .setModels(List.of())
        .setRequestedAt(T0.plus(java.time.Duration.ofDays(1)))
        .setRequester("campaign")
        .build();
  }
}
