package io.lethe.learners.hypernet.internal;

import java.util.Random;

/**
 * A bounded first-in-first-out window of the current task's most recent samples, from which
 * training steps draw their mini-batches; older samples fall out and are not kept anywhere.
 */
public final class SampleWindow {

  private final int capacity;
  private final float[][] features;
  private final int[] labels;
  private int size;
  private int next;

  /** Creates an empty window holding at most {@code capacity} samples. */
  public SampleWindow(int capacity) {
    this.capacity = capacity;
    this.features = new float[capacity][];
    this.labels = new int[capacity];
  }

  /** A mini-batch drawn from the window. */
  public record Batch(float[][] features, int[] labels) {}

  /** Adds samples, evicting the oldest ones once full; the rows are copied. */
  public void addAll(float[][] x, int[] y) {
    for (int i = 0; i < x.length; i++) {
      features[next] = x[i].clone();
      labels[next] = y[i];
      next = (next + 1) % capacity;
      size = Math.min(size + 1, capacity);
    }
  }

  /** Draws {@code min(n, size)} distinct samples uniformly at random. */
  public Batch sample(int n, Random random) {
    int count = Math.min(n, size);
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(size - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    float[][] bx = new float[count][];
    int[] by = new int[count];
    for (int i = 0; i < count; i++) {
      bx[i] = features[order[i]];
      by[i] = labels[order[i]];
    }
    return new Batch(bx, by);
  }

  /** All samples in the window, oldest first, cut into batches of at most {@code batchSize}. */
  public java.util.List<Batch> batches(int batchSize) {
    java.util.List<Batch> out = new java.util.ArrayList<>();
    int start = (next - size + capacity) % capacity;
    for (int from = 0; from < size; from += batchSize) {
      int count = Math.min(batchSize, size - from);
      float[][] bx = new float[count][];
      int[] by = new int[count];
      for (int i = 0; i < count; i++) {
        int slot = (start + from + i) % capacity;
        bx[i] = features[slot];
        by[i] = labels[slot];
      }
      out.add(new Batch(bx, by));
    }
    return out;
  }

  /** Samples currently held. */
  public int size() {
    return size;
  }

  /** Forgets every sample. */
  public void clear() {
    for (int i = 0; i < capacity; i++) {
      features[i] = null;
    }
    size = 0;
    next = 0;
  }
}
