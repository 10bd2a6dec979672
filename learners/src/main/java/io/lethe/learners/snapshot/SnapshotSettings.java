package io.lethe.learners.snapshot;

import io.lethe.learners.settings.SettingDef;
import io.lethe.records.Setting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds and reads a snapshot's ordered scoring settings (key/value strings in a fixed order, so
 * the encoding, and with it the checksum, is deterministic).
 */
public final class SnapshotSettings {
  /**
   * Keys of snapshots written before settings were declared once, read as today's keys so that such
   * snapshots (still on the compacted models topic, or inside a checkpoint or savepoint) stay
   * loadable. Read-only: nothing writes them; drop this once no such snapshot can remain.
   */
  public static final Map<String, String> FORMER_KEYS =
      Map.ofEntries(
          Map.entry("buffer.prng", "buffer-prng"),
          Map.entry("buffer.seed", "seed"),
          Map.entry("buffer.input_dim", "input-dim"),
          Map.entry("buffer.size", "buffer-size"),
          Map.entry("hypernet.taskEmbeddingDim", "task-embedding-dim"),
          Map.entry("hypernet.chunkEmbeddingDim", "chunk-embedding-dim"),
          Map.entry("hypernet.chunkSize", "chunk-size"),
          Map.entry("hypernet.trunkHidden", "trunk-hidden"),
          Map.entry("target.inputs", "inputs"),
          Map.entry("target.hidden", "target-hidden"),
          Map.entry("target.classesPerTask", "classes-per-task"),
          Map.entry("target.weightScaling", "weight-scaling"),
          Map.entry("tasks.count", "task-count"));

  private final Map<String, String> values;

  private SnapshotSettings(Map<String, String> values) {
    this.values = values;
  }

  /** Starts an empty, insertion-ordered set of settings. */
  public static SnapshotSettings builder() {
    return new SnapshotSettings(new LinkedHashMap<>());
  }

  /** Reads the settings of a snapshot, former keys as today's; a repeated key is an error. */
  public static SnapshotSettings of(List<Setting> settings) {
    return new SnapshotSettings(read(settings));
  }

  /**
   * A snapshot's settings by key, in order, with {@link #FORMER_KEYS} read as today's keys.
   *
   * @throws IllegalArgumentException if a key appears twice
   */
  public static Map<String, String> read(List<Setting> settings) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Setting s : settings) {
      String key = FORMER_KEYS.getOrDefault(s.getKey(), s.getKey());
      if (map.put(key, s.getValue()) != null) {
        throw new IllegalArgumentException("snapshot setting " + key + " appears twice");
      }
    }
    return map;
  }

  /** Adds a setting (canonical text form). */
  public SnapshotSettings put(String key, Object value) {
    if (values.put(key, String.valueOf(value)) != null) {
      throw new IllegalArgumentException("snapshot setting " + key + " set twice");
    }
    return this;
  }

  /** Adds a declared setting under its key, in its canonical text form. */
  public <T> SnapshotSettings put(SettingDef<T> setting, T value) {
    return put(setting.key(), setting.format(value));
  }

  /**
   * A declared setting, read and checked against its declaration.
   *
   * @throws IllegalArgumentException if it is missing or not allowed, naming the key
   */
  public <T> T get(SettingDef<T> setting) {
    return setting.parse("snapshot setting ", get(setting.key()));
  }

  /** Adds a list setting as comma-separated values. */
  public SnapshotSettings putList(String key, List<?> list) {
    return put(key, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
  }

  /** The settings in order, as Avro records. */
  public List<Setting> toRecords() {
    List<Setting> records = new ArrayList<>();
    values.forEach((k, v) -> records.add(new Setting(k, v)));
    return records;
  }

  /** The value of a required setting. */
  public String get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalArgumentException("snapshot has no scoring setting " + key);
    }
    return value;
  }

  /** A required long setting. */
  public long getLong(String key) {
    try {
      return Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "snapshot setting " + key + " is '" + get(key) + "', expected an integer", e);
    }
  }

  /** A required int setting. */
  public int getInt(String key) {
    return Math.toIntExact(getLong(key));
  }

  /** A required comma-separated list setting (empty string = empty list). */
  public List<String> getList(String key) {
    String value = get(key);
    return value.isEmpty() ? List.of() : Arrays.asList(value.split(",", -1));
  }
}
