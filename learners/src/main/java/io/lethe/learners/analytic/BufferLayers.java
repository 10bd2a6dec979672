package io.lethe.learners.analytic;

import ai.djl.ndarray.NDManager;
import io.lethe.learners.internal.Torch;
import java.util.HashMap;
import java.util.Map;

/**
 * Buffer layers shared by the scorers of successive model versions. W_B is a pure function of the
 * seed, d_in, d_E and the precision ({@link BufferLayer}), and a model's new versions keep them, so
 * a model service swapping in a new version reuses the layer the current one scores with: no
 * drawing and copying 1.6 million weights (at d_E 2048) while requests are being served, and the
 * weights stay in the caches. A layer is freed when the last scorer holding it is closed.
 *
 * <p>Thread safe.
 */
public final class BufferLayers {
  private record Key(long seed, int inputDim, int size) {}

  private final BufferPrecision precision;
  private final Map<Key, Shared> layers = new HashMap<>();

  /** Layers computed in {@code precision}. */
  public BufferLayers(BufferPrecision precision) {
    this.precision = precision;
  }

  /** The precision of every layer handed out. */
  public BufferPrecision precision() {
    return precision;
  }

  /** A hold on a shared layer; closing it gives the hold back. */
  public interface Lease extends AutoCloseable {
    /** The layer; valid until {@link #close()}. */
    BufferLayer layer();

    /** Whether the layer was held by another scorer already when this hold was taken. */
    boolean wasShared();

    /** Gives the hold back; the last one frees the layer. Idempotent. */
    @Override
    void close();
  }

  /**
   * The layer for (seed, d_in, d_E), built if no scorer holds it now.
   *
   * @return a hold the caller must close
   */
  public synchronized Lease lease(long seed, int inputDim, int size) {
    Key key = new Key(seed, inputDim, size);
    Shared shared = layers.get(key);
    boolean existed = shared != null;
    if (!existed) {
      shared = new Shared(key);
      layers.put(key, shared);
    }
    shared.holders++;
    return shared.new Hold(existed);
  }

  /** How many distinct layers are held now (for tests). */
  public synchronized int size() {
    return layers.size();
  }

  private synchronized void release(Shared shared) {
    if (--shared.holders == 0) {
      layers.remove(shared.key);
      shared.manager.close();
    }
  }

  private final class Shared {
    final Key key;
    final NDManager manager;
    final BufferLayer layer;
    int holders;

    Shared(Key key) {
      Torch.noGradOnThisThread();
      this.key = key;
      this.manager = NDManager.newBaseManager();
      this.layer = BufferLayer.create(manager, key.seed, key.inputDim, key.size, precision);
    }

    final class Hold implements Lease {
      private final boolean wasShared;
      private boolean closed;

      Hold(boolean wasShared) {
        this.wasShared = wasShared;
      }

      @Override
      public BufferLayer layer() {
        return layer;
      }

      @Override
      public boolean wasShared() {
        return wasShared;
      }

      @Override
      public void close() {
        synchronized (BufferLayers.this) {
          if (closed) {
            return;
          }
          closed = true;
        }
        release(Shared.this);
      }
    }
  }
}
