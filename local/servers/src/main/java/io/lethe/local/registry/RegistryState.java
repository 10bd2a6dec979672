package io.lethe.local.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's in-memory state, built only by applying {@link StoreEvent}s in log order.
 *
 * <p>Every method is synchronized: HTTP threads read while the single writer applies events.
 */
final class RegistryState {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<String, TreeMap<Integer, SchemaEntry>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
  private int maxId;

  synchronized void apply(StoreEvent event) {
    if (event instanceof StoreEvent.SchemaWritten written) {
      SchemaEntry entry = written.entry();
      String known = schemasById.get(entry.id());
      if (known != null && !known.equals(entry.schema())) {
        // Ids are immutable; the first schema seen for an id wins.
        LOG.warn(
            "Schema id {} of subject '{}' version {} already names another schema; keeping the"
                + " first",
            entry.id(),
            entry.subject(),
            entry.version());
      } else {
        schemasById.put(entry.id(), entry.schema());
        idsBySchema.putIfAbsent(entry.schema(), entry.id());
      }
      maxId = Math.max(maxId, entry.id());
      subjects.computeIfAbsent(entry.subject(), s -> new TreeMap<>()).put(entry.version(), entry);
    } else if (event instanceof StoreEvent.SchemaErased erased) {
      TreeMap<Integer, SchemaEntry> versions = subjects.get(erased.subject());
      if (versions != null) {
        versions.remove(erased.version());
        if (versions.isEmpty()) {
          subjects.remove(erased.subject());
        }
      }
    } else if (event instanceof StoreEvent.ConfigWritten config) {
      if (config.subject() == null) {
        globalLevel = config.level();
      } else {
        subjectLevels.put(config.subject(), config.level());
      }
    } else if (event instanceof StoreEvent.ConfigErased config) {
      if (config.subject() == null) {
        globalLevel = CompatibilityLevel.DEFAULT;
      } else {
        subjectLevels.remove(config.subject());
      }
    }
  }

  synchronized Optional<String> schemaById(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  /** The global id of a canonical schema text, if any subject ever registered it. */
  synchronized Optional<Integer> idOf(String canonicalSchema) {
    return Optional.ofNullable(idsBySchema.get(canonicalSchema));
  }

  /** The id a new schema gets: one more than any id ever written, so ids are never reused. */
  synchronized int nextId() {
    return maxId + 1;
  }

  /** The version a new schema under {@code subject} gets; soft-deleted versions are not reused. */
  synchronized int nextVersion(String subject) {
    TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
    return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
  }

  /** The subject's versions, oldest first, optionally including soft-deleted ones. */
  synchronized List<SchemaEntry> versions(String subject, boolean includeDeleted) {
    TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
    if (versions == null) {
      return List.of();
    }
    List<SchemaEntry> result = new ArrayList<>();
    for (SchemaEntry entry : versions.values()) {
      if (includeDeleted || !entry.deleted()) {
        result.add(entry);
      }
    }
    return result;
  }

  /** Subject names, sorted, that have a live version (or any version with includeDeleted). */
  synchronized List<String> subjects(boolean includeDeleted) {
    List<String> result = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Integer, SchemaEntry>> subject : subjects.entrySet()) {
      boolean hasVersion =
          subject.getValue().values().stream().anyMatch(e -> includeDeleted || !e.deleted());
      if (hasVersion) {
        result.add(subject.getKey());
      }
    }
    return result;
  }

  /** Live subject versions that use schema {@code id}, by subject then version. */
  synchronized List<SchemaEntry> usesOf(int id) {
    List<SchemaEntry> result = new ArrayList<>();
    for (TreeMap<Integer, SchemaEntry> versions : subjects.values()) {
      for (SchemaEntry entry : versions.values()) {
        if (entry.id() == id && !entry.deleted()) {
          result.add(entry);
        }
      }
    }
    result.sort(Comparator.comparing(SchemaEntry::subject).thenComparing(SchemaEntry::version));
    return result;
  }

  synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  /** The level that governs {@code subject}: its own if set, else the global one. */
  synchronized CompatibilityLevel effectiveLevel(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }
}
