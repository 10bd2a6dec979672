package io.lethe.job.learner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The samples a hypernetwork model keeps per task, so that a task can be learned again without the
 * samples a SAMPLE or SUBJECT erasure removes. Features stay in their packed form (about 1 KB per
 * Fashion-MNIST image), labels are the task's local class indices.
 *
 * <p>Checkpointed as state parts {@code samples/<task>/<chunk>} of at most {@value #CHUNK} samples
 * each, so a checkpoint rewrites only the chunks that changed (the newest chunk of the current task
 * while it is learned, a chunk from which a sample was erased).
 *
 * <p>Not thread-safe: used by the operator's task thread only.
 */
final class TaskSampleStore {
  static final String PART_PREFIX = "samples/";
  static final int CHUNK = 1024;

  /** A kept sample. */
  record Kept(String id, byte[] packedFeatures, int label) {}

  private record Location(String task, int chunk) {}

  private final Map<String, List<LinkedHashMap<String, Kept>>> chunksByTask = new LinkedHashMap<>();
  private final Map<String, Location> locations = new HashMap<>();
  private final Set<String> changedParts = new LinkedHashSet<>();
  private final Set<String> removedParts = new LinkedHashSet<>();

  /** Keeps a learned sample (a sample id seen again replaces the earlier one). */
  void add(String task, String id, byte[] packedFeatures, int label) {
    remove(id);
    List<LinkedHashMap<String, Kept>> chunks =
        chunksByTask.computeIfAbsent(task, t -> new ArrayList<>());
    if (chunks.isEmpty() || chunks.get(chunks.size() - 1).size() >= CHUNK) {
      chunks.add(new LinkedHashMap<>());
    }
    int chunk = chunks.size() - 1;
    chunks.get(chunk).put(id, new Kept(id, packedFeatures, label));
    locations.put(id, new Location(task, chunk));
    changed(task, chunk);
  }

  /**
   * Drops a sample.
   *
   * @return its task, or null if it is not kept
   */
  String remove(String id) {
    Location at = locations.remove(id);
    if (at == null) {
      return null;
    }
    chunksByTask.get(at.task()).get(at.chunk()).remove(id);
    changed(at.task(), at.chunk());
    return at.task();
  }

  /** Drops every sample of {@code task}. */
  void removeTask(String task) {
    List<LinkedHashMap<String, Kept>> chunks = chunksByTask.remove(task);
    if (chunks == null) {
      return;
    }
    for (int c = 0; c < chunks.size(); c++) {
      chunks.get(c).keySet().forEach(locations::remove);
      String part = partName(task, c);
      changedParts.remove(part);
      removedParts.add(part);
    }
  }

  /** The kept samples of {@code task}, oldest first. */
  List<Kept> samples(String task) {
    List<Kept> all = new ArrayList<>();
    chunksByTask.getOrDefault(task, List.of()).forEach(c -> all.addAll(c.values()));
    return all;
  }

  /** Samples kept over all tasks. */
  int size() {
    return locations.size();
  }

  /** The parts changed since the last call, removed ones mapped to null. */
  Map<String, byte[]> drainChangedParts() {
    Map<String, byte[]> parts = new LinkedHashMap<>();
    removedParts.forEach(p -> parts.put(p, null));
    for (String part : changedParts) {
      int slash = part.lastIndexOf('/');
      String task = part.substring(PART_PREFIX.length(), slash);
      int chunk = Integer.parseInt(part.substring(slash + 1));
      parts.put(part, encode(chunksByTask.get(task).get(chunk).values()));
    }
    removedParts.clear();
    changedParts.clear();
    return parts;
  }

  /** Rebuilds the store from checkpointed parts (other parts are ignored). */
  static TaskSampleStore restore(Map<String, byte[]> parts) {
    TaskSampleStore store = new TaskSampleStore();
    Map<String, TreeMap<Integer, byte[]>> byTask = new LinkedHashMap<>();
    parts.forEach(
        (name, bytes) -> {
          if (name.startsWith(PART_PREFIX) && bytes != null) {
            int slash = name.lastIndexOf('/');
            byTask
                .computeIfAbsent(name.substring(PART_PREFIX.length(), slash), t -> new TreeMap<>())
                .put(Integer.parseInt(name.substring(slash + 1)), bytes);
          }
        });
    byTask.forEach(
        (task, chunks) -> {
          List<LinkedHashMap<String, Kept>> list = new ArrayList<>();
          for (int c = 0; c <= chunks.lastKey(); c++) {
            LinkedHashMap<String, Kept> chunk = new LinkedHashMap<>();
            byte[] bytes = chunks.get(c);
            if (bytes != null) {
              for (Kept kept : decode(bytes)) {
                chunk.put(kept.id(), kept);
                store.locations.put(kept.id(), new Location(task, c));
              }
            }
            list.add(chunk);
          }
          store.chunksByTask.put(task, list);
        });
    return store;
  }

  private void changed(String task, int chunk) {
    String part = partName(task, chunk);
    removedParts.remove(part);
    changedParts.add(part);
  }

  static String partName(String task, int chunk) {
    return PART_PREFIX + task + "/" + chunk;
  }

  private static byte[] encode(Iterable<Kept> samples) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      List<Kept> list = new ArrayList<>();
      samples.forEach(list::add);
      out.writeInt(list.size());
      for (Kept kept : list) {
        out.writeUTF(kept.id());
        out.writeInt(kept.label());
        out.writeInt(kept.packedFeatures().length);
        out.write(kept.packedFeatures());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static List<Kept> decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int count = in.readInt();
      List<Kept> samples = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String id = in.readUTF();
        int label = in.readInt();
        samples.add(new Kept(id, in.readNBytes(in.readInt()), label));
      }
      return samples;
    } catch (IOException e) {
      throw new IllegalArgumentException("hypernetwork sample store part is corrupt: " + e, e);
    }
  }
}
