package io.lethe.serving;

import io.lethe.learners.snapshot.Prediction;
import io.lethe.learners.snapshot.Scorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * Scores the concurrent requests of one model version as one matrix product per task: a product of
 * many rows streams the buffer layer's weights once instead of once per request.
 *
 * <p>Leader and followers, no thread of its own: the first request of a batch (per task) becomes
 * its leader, waits until the batch holds {@link ScoringSettings#maxBatch()} rows, or {@link
 * ScoringSettings#batchWait()} has passed, or no other request of this version is on its way (so a
 * lone client never waits), but in any case while another product of this version is running; then
 * it scores the batch on its own thread and hands each follower its rows' predictions. Followers
 * and the waiting leader are parked, never spinning. A request is scored by the version it was
 * batched under, since each version has its own batcher.
 *
 * <p>Requests of more than one task, and requests of {@code maxBatch} rows or more, are a batch
 * already and are scored at once. If a batch fails (it should not: rows are checked before), each
 * of its requests is scored alone so that an error reaches only the request it belongs to.
 */
final class RequestBatcher {
  private final Scorer scorer;
  private final int maxBatch;
  private final long waitNanos;
  private final IntSupplier requestsHoldingVersion;
  private final IntConsumer batchRows;
  private final ReentrantLock lock = new ReentrantLock();

  /** The batch each task is filling (key null for a class-incremental model); under the lock. */
  private final Map<String, Batch> open = new HashMap<>();

  /** Requests in open batches and in batches being scored; under the lock. */
  private int queued;

  private int scoring;

  /** Products closed and not yet scored (under the lock). */
  private int running;

  /**
   * @param requestsHoldingVersion how many requests hold this version now ({@link
   *     ServedModel#requestsInFlight()}): while more hold it than are queued or scoring, more
   *     requests are on their way and a leader may wait for them
   * @param batchRows told the row count of every product scored (for the batch-size metric)
   */
  RequestBatcher(
      Scorer scorer,
      ScoringSettings settings,
      IntSupplier requestsHoldingVersion,
      IntConsumer batchRows) {
    this(scorer, settings.maxBatch(), settings.batchWait(), requestsHoldingVersion, batchRows);
  }

  /** As above, with any wait (tests wait longer than a setting may). */
  RequestBatcher(
      Scorer scorer,
      int maxBatch,
      Duration batchWait,
      IntSupplier requestsHoldingVersion,
      IntConsumer batchRows) {
    this.scorer = scorer;
    this.maxBatch = maxBatch;
    this.waitNanos = batchWait.toNanos();
    this.requestsHoldingVersion = requestsHoldingVersion;
    this.batchRows = batchRows;
  }

  /** One request's rows of one task, and, once scored, its predictions or failure. */
  private static final class Pending {
    final float[][] rows;
    final Thread owner = Thread.currentThread();
    List<Prediction> predictions;
    RuntimeException failure;
    volatile boolean done;

    Pending(float[][] rows) {
      this.rows = rows;
    }

    void complete(List<Prediction> result, RuntimeException error) {
      predictions = result;
      failure = error;
      done = true;
      LockSupport.unpark(owner);
    }

    List<Prediction> await() {
      boolean interrupted = false;
      while (!done) {
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
      return predictions;
    }
  }

  /** The requests of one product being filled, and its leader's wake-up. */
  private final class Batch {
    final List<Pending> pending = new ArrayList<>();
    final Condition changed = lock.newCondition();
    int rows;
    boolean closed;
  }

  /**
   * Scores {@code rows}, all of {@code task}, possibly together with other requests' rows.
   *
   * @return one prediction per row, in order
   */
  List<Prediction> score(String task, float[][] rows) {
    if (rows.length >= maxBatch || maxBatch == 1) {
      return scoreNow(task, rows);
    }
    Pending me = new Pending(rows);
    Batch batch;
    boolean leader = false;
    lock.lock();
    try {
      batch = open.get(task);
      if (batch != null && batch.rows + rows.length > maxBatch) {
        close(task, batch); // full for these rows: its leader scores it, this request leads anew
        batch = null;
      }
      if (batch != null) {
        batch.pending.add(me);
        batch.rows += rows.length;
        queued++;
        if (batch.rows >= maxBatch) {
          close(task, batch);
        } else if (!othersExpected()) {
          batch.changed.signal();
        }
      } else {
        batch = new Batch();
        batch.pending.add(me);
        batch.rows = rows.length;
        queued++;
        open.put(task, batch);
        leader = true;
        lead(task, batch);
      }
    } finally {
      lock.unlock();
    }
    if (leader) {
      scoreBatch(task, batch);
    }
    return me.await();
  }

  /**
   * Waits, as the batch's leader and holding the lock, until the batch is to be scored: it is full;
   * or no product of this version is running and either the wait is over or no other request is on
   * its way. While a product runs, the next batch keeps filling (it would compete with that product
   * for the cores anyway), so batches grow with the load.
   */
  private void lead(String task, Batch batch) {
    long deadline = System.nanoTime() + waitNanos;
    boolean interrupted = false;
    while (!batch.closed) {
      long left = deadline - System.nanoTime();
      if (running == 0 && (left <= 0 || !othersExpected())) {
        break;
      }
      try {
        // a running product signals when it ends; the timeout only re-checks the deadline
        batch.changed.awaitNanos(running == 0 ? left : Math.max(left, PRODUCT_RECHECK_NANOS));
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
    }
    if (!batch.closed) {
      close(task, batch);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** How often a leader waiting for a running product looks again without being signalled. */
  private static final long PRODUCT_RECHECK_NANOS = 1_000_000;

  /** Takes the batch out of the open ones (under the lock); its requests count as scoring. */
  private void close(String task, Batch batch) {
    batch.closed = true;
    if (open.get(task) == batch) {
      open.remove(task);
    }
    queued -= batch.pending.size();
    scoring += batch.pending.size();
    running++;
    batch.changed.signal();
  }

  /** Whether a request holding this version has not reached the batcher yet (under the lock). */
  private boolean othersExpected() {
    return requestsHoldingVersion.getAsInt() > queued + scoring;
  }

  private void scoreBatch(String task, Batch batch) {
    List<Pending> pending = batch.pending;
    try {
      if (pending.size() == 1) {
        Pending only = pending.get(0);
        only.complete(scoreNow(task, only.rows), null);
        return;
      }
      float[][] rows = new float[batch.rows][];
      int at = 0;
      for (Pending p : pending) {
        System.arraycopy(p.rows, 0, rows, at, p.rows.length);
        at += p.rows.length;
      }
      List<Prediction> predictions;
      try {
        predictions = scoreNow(task, rows);
      } catch (RuntimeException batchFailed) {
        for (Pending p : pending) {
          try {
            p.complete(scoreNow(task, p.rows), null);
          } catch (RuntimeException e) {
            p.complete(null, e);
          }
        }
        return;
      }
      at = 0;
      for (Pending p : pending) {
        p.complete(predictions.subList(at, at + p.rows.length), null);
        at += p.rows.length;
      }
    } catch (RuntimeException | Error e) {
      RuntimeException failure =
          e instanceof RuntimeException r ? r : new IllegalStateException("scoring failed", e);
      for (Pending p : pending) {
        if (!p.done) {
          p.complete(null, failure);
        }
      }
      throw e;
    } finally {
      lock.lock();
      try {
        scoring -= pending.size();
        running--;
        for (Batch next : open.values()) {
          next.changed.signal(); // its leader may have waited for this product
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Requests waiting in open batches (for tests). */
  int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** Scores {@code rows} at once, in one product of their own. */
  List<Prediction> scoreAlone(String task, float[][] rows) {
    return scoreNow(task, rows);
  }

  private List<Prediction> scoreNow(String task, float[][] rows) {
    List<Prediction> predictions = scorer.predict(task, rows);
    batchRows.accept(rows.length);
    return predictions;
  }
}
