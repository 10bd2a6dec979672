package io.lethe.loadtests.campaign;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.analytic.OfflineRetrain;
import io.lethe.loadtests.campaign.CampaignPlan.Kind;
import io.lethe.loadtests.campaign.CampaignPlan.Send;
import io.lethe.loadtests.campaign.CampaignPlan.Target;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.ReceiptStatus;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.Topic;
import io.lethe.schemas.topics.TopicReader;
import io.lethe.validation.DeadLetterHeaders;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Runs a {@link CampaignPlan} against a running Lethe (broker, registry, ingress, learner job) and
 * accounts for every input: each raw record is either accepted by the ingress or dead-lettered with
 * a reason (a repeated erasure is a recognised retry), each accepted sample is retained, erased, or
 * refused by the job, every executed erasure has exactly one receipt and one confirmation per
 * model, and the final analytic model equals an offline retrain on exactly the retained samples.
 * Violations are collected in the {@link Report}, not thrown, so that one run shows all of them.
 */
public final class BadInputCampaign {
  /** Relative distance to the offline retrain that counts as equal (float64 round-off). */
  public static final double EXACTNESS_BAR = 1e-9;

  /** The campaign's model catalog. */
  public static ModelCatalog catalog() {
    return ModelCatalog.of(
        List.of(
            new DatasetSpec(
                CampaignPlan.DATASET,
                CampaignPlan.FEATURES,
                CampaignPlan.CLASSES,
                CampaignPlan.MAX_ABS_FEATURE)),
        List.of(
            ModelSpec.of(CampaignPlan.MODEL, LearnerKind.ANALYTIC, CampaignPlan.DATASET)
                .withSnapshot(new SnapshotPolicy(500, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .with(AnalyticSettings.BUFFER_SIZE, CampaignPlan.BUFFER_SIZE)
                .with(AnalyticSettings.GAMMA, CampaignPlan.GAMMA)
                .with(AnalyticSettings.SEED, CampaignPlan.SEED)));
  }

  /**
   * Where the campaign runs.
   *
   * @param bootstrapServers Kafka
   * @param topics Lethe's topics, with serdes on the stack's registry
   * @param ingressApplicationId the ingress's application id (its consumer group)
   * @param bound how long each wait may take
   * @param log progress lines
   */
  public record Stack(
      String bootstrapServers,
      LetheTopics topics,
      String ingressApplicationId,
      Duration bound,
      PrintStream log,
      Map<String, String> clientProperties) {

    /** A stack whose Kafka needs no credentials. */
    public Stack(
        String bootstrapServers,
        LetheTopics topics,
        String ingressApplicationId,
        Duration bound,
        PrintStream log) {
      this(bootstrapServers, topics, ingressApplicationId, bound, log, Map.of());
    }
  }

  /**
   * What happened to the campaign's inputs.
   *
   * @param seed the plan's seed (replay with it)
   * @param sentByKind records sent, by what the campaign meant them to test
   * @param ingressDeadLettersByCode the ingress's dead letters by reason code
   * @param jobDeadLettersByCode the learner job's dead letters by reason code
   * @param acceptedSamples samples the ingress forwarded
   * @param forwardedErasures erasure requests the ingress forwarded to the job
   * @param samplesErased ledger entries the executed erasures found (learned, then erased)
   * @param completedReceipts executed requests with their one COMPLETED receipt
   * @param erasuresFoundNothing executed requests that found no learned sample (nothing to confirm)
   * @param retained accepted samples neither erased nor refused
   * @param learned samples the final snapshot says it learned
   * @param distance the final model's relative distance to the offline retrain
   * @param problems every violated expectation, empty when the campaign passed
   */
  public record Report(
      long seed,
      Map<Kind, Long> sentByKind,
      Map<String, Long> ingressDeadLettersByCode,
      Map<String, Long> jobDeadLettersByCode,
      long acceptedSamples,
      long forwardedErasures,
      long samplesErased,
      long completedReceipts,
      long erasuresFoundNothing,
      long retained,
      long learned,
      double distance,
      List<String> problems) {

    /** Records sent in all. */
    public long sent() {
      return sentByKind.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The report as lines for people. */
    public String describe() {
      StringBuilder out = new StringBuilder();
      out.append("bad-input campaign, seed ")
          .append(seed)
          .append(": ")
          .append(sent())
          .append(" records sent\n");
      sentByKind.forEach(
          (k, n) -> out.append("  sent ").append(k).append(": ").append(n).append('\n'));
      ingressDeadLettersByCode.forEach(
          (c, n) ->
              out.append("  ingress dead letters ").append(c).append(": ").append(n).append('\n'));
      jobDeadLettersByCode.forEach(
          (c, n) ->
              out.append("  job dead letters ").append(c).append(": ").append(n).append('\n'));
      out.append("  accepted samples: ").append(acceptedSamples).append('\n');
      out.append("  forwarded erasures: ").append(forwardedErasures).append('\n');
      out.append("  samples erased: ").append(samplesErased).append('\n');
      out.append("  completed receipts: ")
          .append(completedReceipts)
          .append(" (requests that found nothing to erase: ")
          .append(erasuresFoundNothing)
          .append(")\n");
      out.append("  retained: ")
          .append(retained)
          .append(", learned by the final model: ")
          .append(learned)
          .append('\n');
      out.append("  distance to the offline retrain: ").append(distance).append('\n');
      out.append("  problems: ").append(problems.isEmpty() ? "none" : problems).append('\n');
      return out.toString();
    }
  }

  private final CampaignPlan plan;
  private final Stack target;
  private final List<String> problems = new ArrayList<>();
  private long erasedNothing;

  private BadInputCampaign(CampaignPlan plan, Stack target) {
    this.plan = plan;
    this.target = target;
  }

  /** Sends the plan at once, waits until Lethe has handled it, and accounts for every input. */
  public static Report run(CampaignPlan plan, Stack target) throws Exception {
    BadInputCampaign campaign = new BadInputCampaign(plan, target);
    campaign.send(Duration.ZERO);
    return campaign.account();
  }

  /**
   * Sends the plan's records spread evenly over {@code span} (record i of n at i/n of it, see
   * {@link Pacing#sendAt}) and returns once the broker has acknowledged all of them. The producer
   * is idempotent and waits up to {@link #DELIVERY_TIMEOUT} for the broker, so a broker restart
   * delays records but neither loses nor repeats them.
   */
  public static void sendPaced(CampaignPlan plan, Stack target, Duration span) throws Exception {
    new BadInputCampaign(plan, target).send(span);
  }

  /**
   * Waits until Lethe has handled everything {@link #sendPaced} sent and accounts for every input,
   * as {@link #run} does after sending. Job restarts are allowed: the accounting relies on the
   * job's exactly-once output, not on an uninterrupted run.
   */
  public static Report account(CampaignPlan plan, Stack target) throws Exception {
    return new BadInputCampaign(plan, target).account();
  }

  /** How long the campaign's producer keeps a record while the broker is away. */
  public static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(10);

  private Report account() throws Exception {
    LetheTopics topics = target.topics();
    target.log().println("campaign: waiting for the ingress to read everything");
    awaitIngressCaughtUp();

    List<ConsumerRecord<String, TrainingSample>> accepted = readToEnd(topics.samples());
    List<ConsumerRecord<String, ErasureRequest>> forwarded = readToEnd(topics.erasures());
    Map<String, ErasureRequest> executed = new HashMap<>();
    forwarded.forEach(
        r -> {
          if (executed.put(r.value().getRequestId(), r.value()) != null) {
            problems.add("request " + r.value().getRequestId() + " was forwarded to the job twice");
          }
        });
    target.log().println("campaign: waiting for " + executed.size() + " receipts");
    Map<String, Set<ErasureReceipt>> receipts = awaitReceipts(executed.keySet());
    List<ConsumerRecord<String, DeadLetter>> deadLetters = readToEnd(topics.deadLetter());
    Map<String, ErasureAffected> affected = new HashMap<>();
    readToEnd(topics.erasuresAffected())
        .forEach(
            r -> {
              if (affected.put(r.value().getRequestId(), r.value()) != null) {
                problems.add("request " + r.value().getRequestId() + " was decided twice");
              }
            });

    checkIngress(accepted, forwarded, deadLetters);
    checkReceipts(executed.keySet(), receipts, affected);

    Set<String> erasedSubjects = new HashSet<>();
    Set<String> erasedSamples = new HashSet<>();
    executed
        .values()
        .forEach(
            e -> {
              if (e.getScope() == ErasureScope.SUBJECT) {
                erasedSubjects.addAll(e.getIds());
              } else if (e.getScope() == ErasureScope.SAMPLE) {
                e.getIds().forEach(id -> erasedSamples.add(e.getSubjectId() + "/" + id));
              }
            });
    List<TrainingSample> retained = new ArrayList<>();
    for (ConsumerRecord<String, TrainingSample> record : accepted) {
      TrainingSample s = record.value();
      if (!erasedSubjects.contains(s.getSubjectId())
          && !erasedSamples.contains(s.getSubjectId() + "/" + s.getSampleId())) {
        retained.add(s);
      }
    }
    long samplesErased =
        affected.values().stream()
            .filter(a -> executed.containsKey(a.getRequestId()))
            .mapToLong(ErasureAffected::getSamplesFound)
            .sum();
    List<DeadLetter> jobLetters =
        deadLetters.stream()
            .map(ConsumerRecord::value)
            .filter(d -> d.getComponent().equals("learner-job"))
            .toList();
    long jobRefusedSamples =
        jobLetters.stream().filter(d -> d.getSourceTopic().equals(topics.samples().name())).count();
    if (accepted.size() != retained.size() + samplesErased + jobRefusedSamples) {
      problems.add(
          "accepted samples "
              + accepted.size()
              + " != retained "
              + retained.size()
              + " + erased "
              + samplesErased
              + " + refused by the job "
              + jobRefusedSamples);
    }

    target
        .log()
        .println(
            "campaign: waiting for a snapshot of the " + retained.size() + " retained samples");
    ModelSnapshot last = awaitSnapshot(retained.size());
    long learned = last == null ? -1 : learned(last);
    double distance = Double.NaN;
    if (last == null) {
      problems.add(
          "no snapshot of "
              + CampaignPlan.MODEL
              + " learned exactly the "
              + retained.size()
              + " retained samples within "
              + target.bound());
    } else {
      distance = OfflineRetrain.relativeDistance(last, settings(), retained);
      if (!(distance <= EXACTNESS_BAR)) {
        problems.add(
            "the final model is " + distance + " from the offline retrain, over " + EXACTNESS_BAR);
      }
    }
    Map<Kind, Long> sentByKind = new TreeMap<>();
    plan.sends().forEach(s -> sentByKind.merge(s.kind(), 1L, Long::sum));
    return new Report(
        plan.seed(),
        sentByKind,
        byCode(deadLetters, "ingress"),
        byCode(deadLetters, "learner-job"),
        accepted.size(),
        forwarded.size(),
        samplesErased,
        executed.keySet().stream()
            .filter(
                id ->
                    receipts.getOrDefault(id, Set.of()).stream()
                        .anyMatch(r -> r.getStatus() == ReceiptStatus.COMPLETED))
            .count(),
        erasedNothing,
        retained.size(),
        learned,
        distance,
        List.copyOf(problems));
  }

  /** The analytic settings the job derives from the catalog for the campaign's model. */
  public static AnalyticSettings settings() {
    return CatalogLearners.analyticSettings(catalog(), CampaignPlan.MODEL);
  }

  private void checkIngress(
      List<ConsumerRecord<String, TrainingSample>> accepted,
      List<ConsumerRecord<String, ErasureRequest>> forwarded,
      List<ConsumerRecord<String, DeadLetter>> deadLetters) {
    LetheTopics topics = target.topics();
    Set<String> ids = new HashSet<>();
    accepted.forEach(
        r -> {
          if (!ids.add(r.value().getSampleId())) {
            problems.add("sample id " + r.value().getSampleId() + " was accepted twice");
          }
        });
    long samplesDead = 0;
    long erasuresDead = 0;
    long reused = 0;
    Set<String> coordinates = new HashSet<>();
    for (ConsumerRecord<String, DeadLetter> record : deadLetters) {
      DeadLetter letter = record.value();
      String code = DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.REASON_CODE);
      if (code == null
          || code.isBlank()
          || !code.equals(letter.getReasonCode())
          || DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.KIND) == null) {
        problems.add("dead letter without the reason code and kind headers: " + letter.getReason());
      }
      if (!letter.getComponent().equals("ingress")) {
        continue;
      }
      String at =
          letter.getSourceTopic()
              + "-"
              + letter.getSourcePartition()
              + "@"
              + letter.getSourceOffset();
      if (letter.getSourceTopic().equals(topics.samplesRaw().name())) {
        samplesDead++;
      } else if (letter.getSourceTopic().equals(topics.erasuresRaw().name())) {
        erasuresDead++;
        if (code != null && code.equals("request-id-reused")) {
          reused++;
        }
      } else {
        problems.add("an ingress dead letter names source " + at);
      }
      if (!coordinates.add(at)) {
        problems.add("two ingress dead letters for the record at " + at);
      }
    }
    long samplesSent = plan.count(Target.SAMPLES);
    if (samplesSent != accepted.size() + samplesDead) {
      problems.add(
          "samples sent "
              + samplesSent
              + " != accepted "
              + accepted.size()
              + " + dead-lettered "
              + samplesDead);
    }
    long erasuresSent = plan.count(Target.ERASURES);
    long retries = plan.count(Kind.ERASURE_RETRY);
    if (erasuresSent != forwarded.size() + erasuresDead + retries) {
      problems.add(
          "erasures sent "
              + erasuresSent
              + " != forwarded "
              + forwarded.size()
              + " + dead-lettered "
              + erasuresDead
              + " + retries "
              + retries);
    }
    if (forwarded.size() != plan.count(Kind.VALID_ERASURE)) {
      problems.add(
          "forwarded "
              + forwarded.size()
              + " erasures, expected the "
              + plan.count(Kind.VALID_ERASURE)
              + " valid ones");
    }
    if (reused != plan.count(Kind.REUSED_REQUEST_ID)) {
      problems.add(
          reused
              + " request-id-reused dead letters for "
              + plan.count(Kind.REUSED_REQUEST_ID)
              + " reused ids");
    }
  }

  /**
   * Every executed request has one COMPLETED receipt, a decision ({@code ErasureAffected}) and one
   * confirmation from each model the decision names. The campaign's model must be named exactly
   * when the ledger found learned samples: a request whose samples all reached the job after it
   * (refused as late, e.g. when a restart replays the samples' backlog behind the erasures) erases
   * nothing and so has nothing to confirm.
   */
  private void checkReceipts(
      Set<String> executed,
      Map<String, Set<ErasureReceipt>> receipts,
      Map<String, ErasureAffected> affected) {
    for (String id : executed) {
      Set<ErasureReceipt> distinct = receipts.getOrDefault(id, Set.of());
      if (distinct.size() != 1) {
        problems.add("request " + id + " has " + distinct.size() + " distinct receipts");
      } else if (distinct.iterator().next().getStatus() != ReceiptStatus.COMPLETED) {
        problems.add(
            "request "
                + id
                + " was executed but its receipt says "
                + distinct.iterator().next().getStatus());
      }
    }
    Map<String, Long> confirmations =
        readToEnd(target.topics().erasuresApplied()).stream()
            .map(ConsumerRecord::value)
            .collect(
                Collectors.groupingBy(
                    a -> a.getRequestId() + " by " + a.getModel(), Collectors.counting()));
    confirmations.forEach(
        (what, n) -> {
          if (n != 1) {
            problems.add("request " + what + " was confirmed " + n + " times");
          }
        });
    for (String id : executed) {
      ErasureAffected decision = affected.get(id);
      if (decision == null) {
        problems.add("request " + id + " has no ErasureAffected decision");
        continue;
      }
      boolean found = decision.getSamplesFound() > 0;
      if (found != decision.getModels().contains(CampaignPlan.MODEL)) {
        problems.add(
            "request "
                + id
                + " found "
                + decision.getSamplesFound()
                + " learned samples but names models "
                + decision.getModels());
      }
      for (String model : decision.getModels()) {
        if (!confirmations.containsKey(id + " by " + model)) {
          problems.add("request " + id + " has no confirmation by " + model);
        }
      }
      if (!found) {
        erasedNothing++;
      }
    }
    receipts.forEach(
        (id, distinct) -> {
          if (!executed.contains(id)
              && distinct.stream().anyMatch(r -> r.getStatus() == ReceiptStatus.COMPLETED)) {
            problems.add("request " + id + " has a COMPLETED receipt but never reached the job");
          }
        });
  }

  private void send(Duration span) throws Exception {
    LetheTopics topics = target.topics();
    target
        .log()
        .println(
            "campaign: sending "
                + plan.sends().size()
                + " records (seed "
                + plan.seed()
                + ")"
                + (span.isZero() ? "" : " over " + span));
    Properties props = new Properties();
    props.putAll(target.clientProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(63 * 1024 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
    props.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT.toMillis()));
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT.toMillis()));
    Random flips = new Random(plan.seed() ^ 0x5DEECE66DL);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      int count = plan.sends().size();
      for (int i = 0; i < count; i++) {
        Send s = plan.sends().get(i);
        if (!span.isZero()) {
          long due = start + Pacing.sendAt(i, count, span).toNanos();
          for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          if (i > 0 && i % Math.max(1, count / 10) == 0) {
            target.log().printf("campaign: sent %d of %d records%n", i, count);
          }
        }
        String topic =
            s.target() == Target.SAMPLES ? topics.samplesRaw().name() : topics.erasuresRaw().name();
        byte[] value = encode(s, flips);
        byte[] key = utf8(s.key());
        Integer partition = s.partition() >= 0 ? Integer.valueOf(s.partition()) : null;
        if (partition == null && s.partitionKey() != null) {
          // Where Kafka's default partitioner puts partitionKey.
          int partitions = producer.partitionsFor(topic).size();
          partition = Utils.toPositive(Utils.murmur2(utf8(s.partitionKey()))) % partitions;
        }
        sent.add(producer.send(new ProducerRecord<>(topic, partition, key, value)));
      }
      producer.flush();
      for (Future<RecordMetadata> future : sent) {
        future.get(target.bound().plus(DELIVERY_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private byte[] encode(Send s, Random flips) {
    LetheTopics topics = target.topics();
    if (s.raw() != null) {
      return s.raw();
    }
    if (s.sample() != null) {
      TrainingSample sample = s.sample();
      if (s.paddingBytes() > 0) {
        sample =
            TrainingSample.newBuilder(sample)
                .setAttributes(Map.of("pad", "x".repeat(s.paddingBytes())))
                .build();
      }
      byte[] bytes =
          topics
              .samplesRaw()
              .valueSerde()
              .serializer()
              .serialize(topics.samplesRaw().name(), sample);
      for (int i = 0; i < s.flipBits(); i++) {
        int bit = flips.nextInt(bytes.length * 8);
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
      }
      return bytes;
    }
    ErasureRequest erasure = s.erasure();
    if (s.paddingBytes() > 0) {
      erasure =
          ErasureRequest.newBuilder(erasure).setRequester("x".repeat(s.paddingBytes())).build();
    }
    return topics
        .erasuresRaw()
        .valueSerde()
        .serializer()
        .serialize(topics.erasuresRaw().name(), erasure);
  }

  /**
   * Waits until the ingress has committed its way to the end of everything it reads: the raw topics
   * and then its own repartition topics (a sample or a request crosses one before it is accepted or
   * refused) and the job's answers.
   */
  private void awaitIngressCaughtUp() throws Exception {
    LetheTopics topics = target.topics();
    long deadline = System.nanoTime() + target.bound().toNanos();
    Map<String, Object> adminConfig = new HashMap<>(target.clientProperties());
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    try (Admin admin = Admin.create(adminConfig)) {
      Set<TopicPartition> raw =
          partitionsOf(admin, List.of(topics.samplesRaw().name(), topics.erasuresRaw().name()));
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(target.ingressApplicationId())
                .partitionsToOffsetAndMetadata()
                .get();
        Set<TopicPartition> inputs = new HashSet<>(raw);
        inputs.addAll(committed.keySet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        inputs.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        boolean done =
            end.entrySet().stream()
                .allMatch(
                    e -> {
                      OffsetAndMetadata at = committed.get(e.getKey());
                      return e.getValue() == 0 || (at != null && at.offset() >= e.getValue());
                    });
        if (done && noOpenTransaction(admin)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "the ingress has not read the campaign within "
                  + target.bound()
                  + ": committed "
                  + committed
                  + ", end "
                  + end);
        }
        LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      }
    }
  }

  /**
   * Whether the ingress's outputs have no open transaction. The ingress commits its input offsets
   * and its outputs in one transaction, but the commit markers reach the output partitions after
   * the offsets are visible: a read_committed reader that starts in between stops at the last
   * stable offset and misses the transaction's records.
   */
  private boolean noOpenTransaction(Admin admin) throws Exception {
    LetheTopics topics = target.topics();
    List<String> outputs = List.of(topics.samples().name(), topics.erasures().name());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitionsOf(admin, outputs).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> stable = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all()
        .get()
        .forEach((tp, info) -> stable.put(tp, info.offset()));
    Map<TopicPartition, Long> high = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
        .all()
        .get()
        .forEach((tp, info) -> high.put(tp, info.offset()));
    return stable.equals(high);
  }

  /** Every partition of {@code topics}. */
  private static Set<TopicPartition> partitionsOf(Admin admin, List<String> topics)
      throws Exception {
    Set<TopicPartition> partitions = new HashSet<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get()
        .forEach(
            (name, description) ->
                description
                    .partitions()
                    .forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
    return partitions;
  }

  private Map<String, Set<ErasureReceipt>> awaitReceipts(Set<String> ids) {
    Map<String, Set<ErasureReceipt>> receipts = new HashMap<>();
    Topic<String, ErasureReceipt> topic = target.topics().receipts();
    try (KafkaConsumer<String, ErasureReceipt> consumer =
        consumer(topic.valueSerde().deserializer(), topic.keySerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long deadline = System.nanoTime() + target.bound().toNanos();
      while (!receipts.keySet().containsAll(ids) && System.nanoTime() < deadline) {
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(r -> receipts.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.value()));
      }
    }
    // Everything up to the end, retries' re-sent receipts included.
    readToEnd(topic)
        .forEach(r -> receipts.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.value()));
    return receipts;
  }

  private ModelSnapshot awaitSnapshot(long retained) {
    Topic<String, ModelSnapshot> topic = target.topics().models();
    ModelSnapshot latest = null;
    try (KafkaConsumer<String, byte[]> consumer =
        consumer(new ByteArrayDeserializer(), topic.keySerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long deadline = System.nanoTime() + target.bound().toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (CampaignPlan.MODEL.equals(record.key()) && record.value() != null) {
            latest = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
          }
        }
        if (latest != null && learned(latest) == retained) {
          return latest;
        }
      }
    }
    return latest;
  }

  private static long learned(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream().mapToLong(t -> t.getSamples()).sum();
  }

  private static Map<String, Long> byCode(
      List<ConsumerRecord<String, DeadLetter>> letters, String component) {
    return letters.stream()
        .map(ConsumerRecord::value)
        .filter(d -> d.getComponent().equals(component))
        .collect(
            Collectors.groupingBy(DeadLetter::getReasonCode, TreeMap::new, Collectors.counting()));
  }

  private Properties consumerProperties() {
    Properties props = new Properties();
    props.putAll(target.clientProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "lethe-campaign-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
    return props;
  }

  private <K, V> KafkaConsumer<K, V> consumer(Deserializer<V> values, Deserializer<K> keys) {
    return new KafkaConsumer<>(consumerProperties(), keys, values);
  }

  /** Every committed record of {@code topic}, read up to its end offsets. */
  private <K, V> List<ConsumerRecord<K, V>> readToEnd(Topic<K, V> topic) {
    return TopicReader.readToEnd(consumerProperties(), topic, target.bound());
  }
}
