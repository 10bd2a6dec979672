package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cluster.LocalCluster;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the local multi-process cluster (docs/reliability.md): the TaskManager running the
 * learner is killed with {@code kill -9}, the Kafka broker process is stopped and restarted, and
 * the job is cancelled with a savepoint and resumed from it, each while a stream of samples and
 * erasures is under way. Each run gets a fresh cluster and the same stream; the final analytic
 * snapshot must equal the one of a failure-free run (within 1e-12 relative), every erasure must
 * have its receipt, and the versions a read_committed reader sees on {@code lethe.models} must
 * never repeat or go backwards.
 *
 * <p>The stream: 1,200 Fashion-MNIST samples of tasks 0 and 1 from 40 subjects, sent at about 150 a
 * second; a SUBJECT erasure after 300 samples, a SAMPLE erasure of five learned samples after 700,
 * and a SUBJECT erasure of a subject spread over both tasks at the end. Each erasure is sent once a
 * committed snapshot holds the samples before it, so that every run erases the same learned data.
 * The fault is injected once a committed snapshot holds 200 samples, i.e. after a completed
 * checkpoint and before the stream ends. Time to recovery: from the fault to the first committed
 * snapshot that learned more than the last one before it.
 */
class ClusterFaultIT {
  private static final String MODEL = "fault-analytic";
  private static final int SAMPLES = 1200;
  private static final int SUBJECTS = 40;
  private static final Duration BOUND = Duration.ofSeconds(120);
  // d_E 256 and gamma 1: a well-conditioned ridge problem, so that runs that add the same rows in
  // another order (partitions interleave differently) agree far below the 1e-12 bar.
  private static final String CATALOG = TestSamples.analyticCatalog(MODEL, 256, 1.0);

  @TempDir static Path dir;

  private static List<TrainingSample> samples;
  private static Outcome failureFree;

  @BeforeAll
  static void runWithoutFaults() throws Exception {
    samples = TestSamples.samples(SAMPLES, SUBJECTS);
    failureFree = new Run("failure-free", 1).execute(run -> {});
  }

  @Test
  void shouldSurviveAKillOfTheTaskManagerRunningTheLearner() throws Exception {
    Outcome outcome =
        new Run("taskmanager-kill", 2)
            .execute(
                run -> {
                  List<String> learner =
                      ClusterTestSupport.taskManagersOf(run.cluster, run.jobId, "Learner");
                  assertThat(learner).hasSize(1);
                  run.cluster.killTaskManager(Integer.parseInt(learner.get(0).split("-")[1]));
                });
    assertSameAsFailureFree(outcome);
  }

  @Test
  void shouldSurviveAStopAndRestartOfTheKafkaBroker() throws Exception {
    Outcome outcome =
        new Run("broker-restart", 1)
            .execute(
                run -> {
                  run.cluster.stopBroker();
                  run.cluster.startBroker();
                });
    assertSameAsFailureFree(outcome);
  }

  @Test
  void shouldResumeFromASavepointAfterACancel() throws Exception {
    Outcome outcome =
        new Run("savepoint-resume", 1)
            .execute(
                run -> {
                  FlinkRestClient rest = run.cluster.rest();
                  String savepoint = rest.cancelWithSavepoint(run.jobId, null, BOUND);
                  run.jobId = run.submit("--savepoint", savepoint);
                });
    assertSameAsFailureFree(outcome);
  }

  private static void assertSameAsFailureFree(Outcome outcome) {
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(outcome.last), JobTestBench.headWeights(failureFree.last));
    System.out.printf(
        "ClusterFaultIT[%s]: recovered %.1f s after the fault; final version %d (failure-free"
            + " run: %d); max relative difference to the failure-free run %.3e%n",
        outcome.name,
        outcome.recovery.toMillis() / 1e3,
        outcome.last.getVersion(),
        failureFree.last.getVersion(),
        difference);
    assertThat(difference).isLessThanOrEqualTo(1e-12);
    assertThat(outcome.last.getScoring()).isEqualTo(failureFree.last.getScoring());
    assertThat(outcome.last.getLineage().getSamplesPerTask())
        .isEqualTo(failureFree.last.getLineage().getSamplesPerTask());
  }

  /** What a fault does to a running stream; {@link Run#jobId} is updated if it resubmits. */
  @FunctionalInterface
  private interface Fault {
    void inject(Run run) throws Exception;
  }

  /** How a run ended: its last snapshot and how long the job took to learn again. */
  private record Outcome(String name, ModelSnapshot last, Duration recovery) {}

  /** One run of the stream on a fresh cluster, with a fault injected mid-stream. */
  private static final class Run {
    private final String name;
    private final int taskManagers;
    private final List<ModelSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private final List<ErasureApplied> receipts = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    private LocalCluster cluster;
    private LetheTopics topics;
    private Path catalog;
    private volatile String jobId;
    private volatile boolean reading = true;

    Run(String name, int taskManagers) {
      this.name = name;
      this.taskManagers = taskManagers;
    }

    Outcome execute(Fault fault) throws Exception {
      Path runDir = Files.createDirectories(dir.resolve(name));
      catalog = Files.writeString(runDir.resolve("catalog.yaml"), CATALOG);
      cluster = ClusterTestSupport.startCluster(runDir.resolve("cluster"), taskManagers);
      Thread reader = null;
      Thread producer = null;
      try {
        jobId = submit();
        FlinkRestClient rest = cluster.rest();
        Await.until(
            name + ": job RUNNING", BOUND, () -> rest.jobState(jobId).orElse("").equals("RUNNING"));
        topics =
            LetheTopics.create(
                TopicNames.defaults(),
                SchemaRegistryClient.create(
                    cluster.registryUrl(), cluster.adminClientConfig().registryProperties()));
        reader = daemon("it-outputs-" + name, this::readOutputs);
        List<ErasureRequest> erasures = erasures();
        producer = daemon("it-stream-" + name, () -> stream(erasures));

        awaitSnapshot("200 samples learned", s -> JobTestBench.learned(s) >= 200);
        long learnedBefore = snapshots.stream().mapToLong(JobTestBench::learned).max().orElse(0);
        Instant faultAt = Instant.now();
        fault.inject(this);
        System.out.printf(
            "ClusterFaultIT[%s]: fault injected after %d samples learned%n", name, learnedBefore);
        ModelSnapshot resumed =
            awaitSnapshot(
                "learning again after the fault", s -> JobTestBench.learned(s) > learnedBefore);
        Duration recovery = Duration.between(faultAt, Instant.now());

        Set<String> erasedSubjects = Set.of("u-3", "u-11");
        Set<String> erasedIds = new HashSet<>(erasures.get(1).getIds());
        long retained =
            samples.stream()
                .filter(s -> !erasedSubjects.contains(s.getSubjectId()))
                .filter(s -> !erasedIds.contains(s.getSampleId()))
                .count();
        Set<String> requests = new HashSet<>();
        erasures.forEach(e -> requests.add(e.getRequestId()));
        Await.until(
            name + ": a receipt for each erasure",
            BOUND,
            () ->
                receipts.stream().map(ErasureApplied::getRequestId).toList().containsAll(requests));
        long lastReceiptVersion =
            receipts.stream().mapToLong(ErasureApplied::getFirstVersionWithout).max().orElseThrow();
        ModelSnapshot last =
            awaitSnapshot(
                "the final model: " + retained + " retained samples, every erasure reflected",
                s -> JobTestBench.learned(s) == retained && s.getVersion() >= lastReceiptVersion);
        assertThat(producerFailure.get()).as(name + ": the stream producer").isNull();
        assertThat(resumed.getVersion()).isLessThanOrEqualTo(last.getVersion());

        List<Long> versions = snapshots.stream().map(ModelSnapshot::getVersion).toList();
        assertThat(versions).as(name + ": versions on lethe.models").isSorted();
        assertThat(versions).as(name + ": versions on lethe.models").doesNotHaveDuplicates();
        assertThat(receipts)
            .as(name + ": one receipt per erasure, each naming a version")
            .hasSize(requests.size())
            .allSatisfy(r -> assertThat(r.getFirstVersionWithout()).isNotNull());
        return new Outcome(name, last, recovery);
      } catch (Throwable e) {
        System.out.printf(
            "ClusterFaultIT[%s] failed; stream producer: %s; receipts: %s; snapshots (version:"
                + " learned): %s%n",
            name,
            producerFailure.get(),
            receipts.stream()
                .map(r -> r.getRequestId() + "@v" + r.getFirstVersionWithout())
                .toList(),
            snapshots.stream().map(s -> s.getVersion() + ":" + JobTestBench.learned(s)).toList());
        printUncommittedReceipts();
        throw e;
      } finally {
        if (producer != null) {
          producer.interrupt();
        }
        reading = false;
        if (reader != null) {
          reader.join(Duration.ofSeconds(10).toMillis());
        }
        cluster.close();
      }
    }

    String submit(String... extra) {
      return ClusterTestSupport.submitJob(cluster, catalog, extra);
    }

    private ModelSnapshot awaitSnapshot(String what, Predicate<ModelSnapshot> wanted) {
      Await.until(name + ": " + what, BOUND, () -> snapshots.stream().anyMatch(wanted));
      return snapshots.stream().filter(wanted).findFirst().orElseThrow();
    }

    /** Erasure 0 (SUBJECT u-3), 1 (SAMPLE, five of u-7's samples), 2 (SUBJECT u-11). */
    private List<ErasureRequest> erasures() {
      Instant after = TestSamples.T0.plus(Duration.ofHours(1));
      List<String> ofU7 =
          samples.subList(0, 700).stream()
              .filter(s -> s.getSubjectId().equals("u-7"))
              .map(TrainingSample::getSampleId)
              .limit(5)
              .toList();
      return List.of(
          JobTestBench.subjectErasure("erase-u-3", "u-3", after),
          JobTestBench.sampleErasure("erase-u-7-samples", "u-7", ofU7, after),
          JobTestBench.subjectErasure("erase-u-11", "u-11", after));
    }

    /** Sends the stream at about 150 samples a second; the producer rides out a broker restart. */
    private void stream(List<ErasureRequest> erasures) {
      Properties props = new Properties();
      props.putAll(cluster.adminClientConfig().kafkaProperties());
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) BOUND.toMillis());
      try (KafkaProducer<String, TrainingSample> sampleProducer =
              new KafkaProducer<>(
                  props,
                  topics.samples().keySerde().serializer(),
                  topics.samples().valueSerde().serializer());
          KafkaProducer<String, ErasureRequest> erasureProducer =
              new KafkaProducer<>(
                  props,
                  topics.erasures().keySerde().serializer(),
                  topics.erasures().valueSerde().serializer())) {
        long start = System.nanoTime();
        for (int i = 0; i < samples.size(); i++) {
          TrainingSample sample = samples.get(i);
          sampleProducer.send(
              new ProducerRecord<>(topics.samples().name(), sample.getSubjectId(), sample));
          if (i == 300) {
            awaitLearned(sampleProducer, i + 1, Set.of(), Set.of());
            sendErasure(erasureProducer, erasures.get(0));
          } else if (i == 700) {
            awaitLearned(sampleProducer, i + 1, Set.of("u-3"), Set.of());
            sendErasure(erasureProducer, erasures.get(1));
          }
          long due = start + (i + 1) * 1_000_000_000L / 150;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing, not a test wait
          }
        }
        awaitLearned(
            sampleProducer, samples.size(), Set.of("u-3"), Set.copyOf(erasures.get(1).getIds()));
        sendErasure(erasureProducer, erasures.get(2));
      } catch (Throwable e) {
        if (!(e instanceof org.apache.kafka.common.errors.InterruptException)) {
          producerFailure.set(e);
        }
      }
    }

    /**
     * Waits until a committed snapshot holds the first {@code sent} samples (but those of {@code
     * erasedSubjects} and the {@code erasedIds}). An erasure sent before its samples reached the
     * ledger would find nothing to erase in any model (its samples are refused later, as late
     * samples of an erased subject): then no model confirms it on {@code lethe.erasures.applied},
     * and the run would not be the same stream of operations as the failure-free one.
     */
    private void awaitLearned(
        KafkaProducer<String, TrainingSample> producer,
        int sent,
        Set<String> erasedSubjects,
        Set<String> erasedIds) {
      producer.flush();
      long kept =
          samples.subList(0, sent).stream()
              .filter(s -> !erasedSubjects.contains(s.getSubjectId()))
              .filter(s -> !erasedIds.contains(s.getSampleId()))
              .count();
      awaitSnapshot(
          "the first " + sent + " samples learned (" + kept + " kept)",
          s -> JobTestBench.learned(s) >= kept);
    }

    private void sendErasure(KafkaProducer<String, ErasureRequest> producer, ErasureRequest e) {
      producer.send(new ProducerRecord<>(topics.erasures().name(), e.getSubjectId(), e));
      producer.flush();
    }

    private void readOutputs() {
      TopicNames names = TopicNames.defaults();
      try (KafkaConsumer<String, byte[]> consumer =
          ClusterTestSupport.outputConsumer(cluster, names.models(), names.erasuresApplied())) {
        while (reading) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(names.models())) {
              snapshots.add(
                  topics.models().valueSerde().deserializer().deserialize(r.topic(), r.value()));
            } else {
              receipts.add(
                  topics
                      .erasuresApplied()
                      .valueSerde()
                      .deserializer()
                      .deserialize(r.topic(), r.value()));
            }
          }
        }
      }
    }

    /** On failure: every record on the receipts topic, committed or not, with its position. */
    private void printUncommittedReceipts() {
      Properties props = new Properties();
      props.putAll(cluster.adminClientConfig().kafkaProperties());
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-diagnosis-" + UUID.randomUUID());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(TopicNames.defaults().erasuresApplied()));
        Instant until = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(until)) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            System.out.printf(
                "ClusterFaultIT[%s] receipts topic, read_uncommitted: partition %d offset %d key %s%n",
                name, r.partition(), r.offset(), r.key());
          }
        }
      } catch (RuntimeException diagnosisFailed) {
        System.out.println("ClusterFaultIT: could not read the receipts topic: " + diagnosisFailed);
      }
      try (var logs = Files.list(dir.resolve(name).resolve("cluster").resolve("logs"))) {
        for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
          Files.readAllLines(log).stream()
              .filter(line -> line.contains("Exception") || line.contains("ERROR"))
              .limit(20)
              .forEach(line -> System.out.println(log.getFileName() + ": " + line));
        }
      } catch (java.io.IOException e) {
        System.out.println("ClusterFaultIT: no cluster logs: " + e);
      }
    }

    private static Thread daemon(String name, Runnable body) {
      Thread thread = new Thread(body, name);
      thread.setDaemon(true);
      thread.start();
      return thread;
    }
  }
}
