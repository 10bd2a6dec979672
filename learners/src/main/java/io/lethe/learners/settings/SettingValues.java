package io.lethe.learners.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values of declared settings, in insertion order: what a settings type reads from text (a catalog,
 * a snapshot) and what it writes out (snapshot settings, evaluation reports), always under the
 * declared keys.
 */
public final class SettingValues {
  private final Map<String, SettingDef<?>> defs = new LinkedHashMap<>();
  private final Map<String, Object> values = new LinkedHashMap<>();

  /** An empty set of values. */
  public static SettingValues create() {
    return new SettingValues();
  }

  /**
   * Reads text values of the declared settings, checking each against its declaration.
   *
   * @param where prefix of a key in errors, e.g. {@code model 'm': settings.}
   * @throws IllegalArgumentException for a key not declared (listing the declared ones) or a value
   *     not allowed
   */
  public static SettingValues parse(
      String where, List<? extends SettingDef<?>> declared, Map<String, String> text) {
    Map<String, SettingDef<?>> byKey = new LinkedHashMap<>();
    declared.forEach(d -> byKey.put(d.key(), d));
    SettingValues result = new SettingValues();
    for (Map.Entry<String, String> entry : text.entrySet()) {
      SettingDef<?> def = byKey.get(entry.getKey());
      if (def == null) {
        throw new IllegalArgumentException(
            where
                + entry.getKey()
                + " is not a known setting; expected one of "
                + new TreeSet<>(byKey.keySet()));
      }
      result.defs.put(def.key(), def);
      result.values.put(def.key(), def.parse(where, entry.getValue()));
    }
    return result;
  }

  /** Adds (or replaces) a value without checking it; settings records check their own. */
  public <T> SettingValues put(SettingDef<T> def, T value) {
    defs.put(def.key(), def);
    values.put(def.key(), value);
    return this;
  }

  /** Whether a value was given for {@code def}. */
  public boolean has(SettingDef<?> def) {
    return values.containsKey(def.key());
  }

  /**
   * The value given for {@code def}, else its declared default.
   *
   * @throws IllegalArgumentException if neither exists
   */
  public <T> T get(SettingDef<T> def) {
    return get(def, def.defaultValue().orElse(null));
  }

  /** The value given for {@code def}, else {@code fallback} (for defaults taken from context). */
  @SuppressWarnings("unchecked")
  public <T> T get(SettingDef<T> def, T fallback) {
    Object value = values.get(def.key());
    if (value != null) {
      return (T) value;
    }
    if (fallback == null) {
      throw new IllegalArgumentException("setting " + def.key() + " is required");
    }
    return fallback;
  }

  /** The keys given, in order. */
  public List<String> keys() {
    return new ArrayList<>(values.keySet());
  }

  /** Key to typed value, in order (for JSON reports). */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Key to canonical text, in order (for snapshots and catalog files). */
  public Map<String, String> asText() {
    Map<String, String> text = new LinkedHashMap<>();
    values.forEach((key, value) -> text.put(key, formatUnchecked(defs.get(key), value)));
    return Collections.unmodifiableMap(text);
  }

  @SuppressWarnings("unchecked")
  private static <T> String formatUnchecked(SettingDef<T> def, Object value) {
    return def.format((T) value);
  }
}
