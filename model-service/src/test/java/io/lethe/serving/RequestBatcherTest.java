package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.hypernet.HypernetLearner;
import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import io.lethe.learners.snapshot.Scorers;
import io.lethe.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent requests scored as one product, on real scorers: the batch sizes the batcher reports
 * are the products it asked the scorer for.
 */
class RequestBatcherTest {
  /** Long enough that a test finishing at all shows the leader did not wait it out. */
  private static final Duration NEVER = Duration.ofMinutes(5);

  private static final Duration BOUND = Duration.ofSeconds(60);

  private static Scorer analytic;
  private static Scorer hypernet;
  private static ExecutorService clients;

  @BeforeAll
  static void load() {
    try (AnalyticLearner learner = TestModels.analytic()) {
      TestModels.learn(learner, "s", 60, 1L);
      analytic =
          Scorers.fromSnapshot(TestModels.snapshot(learner, "m", 1), BufferPrecision.FLOAT64);
    }
    try (HypernetLearner learner = TestModels.hypernet()) {
      hypernet = Scorers.fromSnapshot(TestModels.snapshot(learner, "h", 1));
    }
    clients = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void close() {
    clients.shutdownNow();
    analytic.close();
    hypernet.close();
  }

  @Test
  void shouldScoreConcurrentRequestsAsOneProduct() throws Exception {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    // eight requests hold the version, the batch takes eight rows: one product, however long the
    // first waits for the last to arrive
    RequestBatcher batcher = new RequestBatcher(analytic, 8, NEVER, () -> 8, products::add);
    float[][] rows = TestModels.rows(8, 5L);

    List<Future<List<Prediction>>> answers = new ArrayList<>();
    for (float[] row : rows) {
      answers.add(clients.submit(() -> batcher.score(null, new float[][] {row})));
    }

    for (int i = 0; i < rows.length; i++) {
      Prediction got = answers.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS).get(0);
      Prediction alone = analytic.predict(new float[][] {rows[i]}).get(0);
      assertThat(got.label()).as("label of request %d", i).isEqualTo(alone.label());
      assertThat(got.scores()).as("scores of request %d", i).hasSameSizeAs(alone.scores());
      for (int c = 0; c < alone.scores().length; c++) {
        // another batch size may take another BLAS kernel: the last bits can differ
        assertThat(got.scores()[c]).isCloseTo(alone.scores()[c], withinOneMillionth());
      }
    }
    assertThat(products).containsExactly(8);
  }

  @Test
  void shouldNotWaitWhenNoOtherRequestIsOnItsWay() {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    RequestBatcher batcher =
        new RequestBatcher(
            analytic,
            64,
            NEVER,
            () -> 1, // this request alone holds the version
            products::add);
    float[][] rows = TestModels.rows(3, 6L);

    List<Prediction> got = assertTimeoutPreemptively(BOUND, () -> batcher.score(null, rows));

    assertThat(got).isEqualTo(analytic.predict(rows));
    assertThat(products).containsExactly(3);
  }

  @Test
  void shouldGatherTheRequestsThatArriveWhileAProductRuns() throws Exception {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch scoring = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    Scorer gated = new GatedScorer(analytic, scoring, gate);
    // no wait at all: only the running product holds the next batch back
    RequestBatcher batcher = new RequestBatcher(gated, 64, Duration.ZERO, () -> 4, products::add);
    float[][] rows = TestModels.rows(4, 10L);

    Future<List<Prediction>> first =
        clients.submit(() -> batcher.score(null, new float[][] {rows[0]}));
    assertThat(scoring.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    List<Future<List<Prediction>>> later = new ArrayList<>();
    for (int i = 1; i < rows.length; i++) {
      float[] row = rows[i];
      later.add(clients.submit(() -> batcher.score(null, new float[][] {row})));
    }
    Await.until("three requests wait for the running product", BOUND, () -> batcher.queued() == 3);
    gate.countDown();

    assertThat(first.get(BOUND.toSeconds(), TimeUnit.SECONDS)).hasSize(1);
    for (Future<List<Prediction>> answer : later) {
      assertThat(answer.get(BOUND.toSeconds(), TimeUnit.SECONDS)).hasSize(1);
    }
    assertThat(products).containsExactly(1, 3);
  }

  /** A real scorer whose first product waits at a gate, to hold a product running. */
  private static final class GatedScorer implements Scorer {
    private final Scorer scorer;
    private final CountDownLatch scoring;
    private final CountDownLatch gate;

    GatedScorer(Scorer scorer, CountDownLatch scoring, CountDownLatch gate) {
      this.scorer = scorer;
      this.scoring = scoring;
      this.gate = gate;
    }

    @Override
    public List<Prediction> predict(String task, float[][] rows) {
      scoring.countDown();
      try {
        if (!gate.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("the gate did not open");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return scorer.predict(task, rows);
    }

    @Override
    public io.lethe.records.LearnerKind learner() {
      return scorer.learner();
    }

    @Override
    public int inputDim() {
      return scorer.inputDim();
    }

    @Override
    public List<String> tasks() {
      return scorer.tasks();
    }

    @Override
    public List<Integer> classes(String task) {
      return scorer.classes(task);
    }

    @Override
    public void close() {}
  }

  @Test
  void shouldScoreEachRequestAloneWithABatchOfOne() throws Exception {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    RequestBatcher batcher = new RequestBatcher(analytic, 1, NEVER, () -> 4, products::add);
    float[][] rows = TestModels.rows(4, 7L);

    List<Future<List<Prediction>>> answers = new ArrayList<>();
    for (float[] row : rows) {
      answers.add(clients.submit(() -> batcher.score(null, new float[][] {row})));
    }
    for (int i = 0; i < rows.length; i++) {
      assertThat(answers.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo(analytic.predict(new float[][] {rows[i]}));
    }
    assertThat(products).containsExactly(1, 1, 1, 1);
  }

  @Test
  void shouldBatchEachTaskOfATaskIncrementalModelSeparately() throws Exception {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    RequestBatcher batcher = new RequestBatcher(hypernet, 2, NEVER, () -> 4, products::add);
    float[][] rows = TestModels.rows(4, 8L);
    String[] tasks = {"a", "b", "a", "b"};

    List<Future<List<Prediction>>> answers = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      float[] row = rows[i];
      String task = tasks[i];
      answers.add(clients.submit(() -> batcher.score(task, new float[][] {row})));
    }

    for (int i = 0; i < rows.length; i++) {
      Prediction got = answers.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS).get(0);
      Prediction alone = hypernet.predict(tasks[i], new float[][] {rows[i]}).get(0);
      assertThat(got.label()).as("label of request %d", i).isEqualTo(alone.label());
      assertThat(hypernet.classes(tasks[i])).contains(got.label());
      for (int c = 0; c < alone.scores().length; c++) {
        assertThat(got.scores()[c]).isCloseTo(alone.scores()[c], withinOneMillionth());
      }
    }
    // one product of two rows per task, never a mix of tasks
    assertThat(products).containsExactly(2, 2);
  }

  @Test
  void shouldFailOnlyTheRequestWhoseRowsAreBad() throws Exception {
    List<Integer> products = Collections.synchronizedList(new ArrayList<>());
    RequestBatcher batcher = new RequestBatcher(analytic, 3, NEVER, () -> 3, products::add);
    float[][] good = TestModels.rows(2, 9L);

    Future<List<Prediction>> first =
        clients.submit(() -> batcher.score(null, new float[][] {good[0]}));
    Future<List<Prediction>> wrong =
        clients.submit(() -> batcher.score(null, new float[][] {new float[TestModels.INPUTS - 1]}));
    Future<List<Prediction>> second =
        clients.submit(() -> batcher.score(null, new float[][] {good[1]}));

    assertThat(first.get(BOUND.toSeconds(), TimeUnit.SECONDS).get(0).label())
        .isEqualTo(analytic.predict(new float[][] {good[0]}).get(0).label());
    assertThat(second.get(BOUND.toSeconds(), TimeUnit.SECONDS).get(0).label())
        .isEqualTo(analytic.predict(new float[][] {good[1]}).get(0).label());
    assertThatThrownBy(() -> wrong.get(BOUND.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 0 has " + (TestModels.INPUTS - 1) + " features");
    // none of the three-row product (it failed), then each request alone
    assertThat(products).containsExactlyInAnyOrder(1, 1);
  }

  private static org.assertj.core.data.Offset<Double> withinOneMillionth() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
