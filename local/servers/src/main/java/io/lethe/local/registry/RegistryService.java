package io.lethe.local.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.avro.Schema;

/**
 * The registry's rules (ids, versions, compatibility, soft deletes) on top of its state and log.
 *
 * <p>Reads go straight to {@link RegistryState}. Writes are serialized by one lock held from the
 * check to the apply, and each write is acknowledged by Kafka before it is applied to memory, so a
 * restart replays exactly what clients were told succeeded. Methods throw {@link RegistryError}.
 */
final class RegistryService {

  /** The body of a request that carries a schema. */
  record SchemaRequest(String schema, String schemaType, boolean hasReferences) {}

  /** Which version a request names: a number, or the latest live one. */
  record VersionRef(String text, Integer number) {
    boolean isLatest() {
      return number == null;
    }
  }

  private final RegistryState state;
  private final Consumer<StoreEvent> log;
  private final ReentrantLock writeLock = new ReentrantLock();

  /**
   * @param log durably writes an event or throws {@link RegistryError}; the event is applied to
   *     {@code state} only after it returns
   */
  RegistryService(RegistryState state, Consumer<StoreEvent> log) {
    this.state = state;
    this.log = log;
  }

  int register(String subject, SchemaRequest request) {
    Schema schema = parse(request);
    String canonical = schema.toString();
    writeLock.lock();
    try {
      List<SchemaEntry> live = state.versions(subject, false);
      for (SchemaEntry entry : live) {
        if (entry.schema().equals(canonical)) {
          return entry.id();
        }
      }
      List<String> problems =
          CompatibilityChecker.problems(state.effectiveLevel(subject), schema, earlier(live));
      if (!problems.isEmpty()) {
        throw RegistryError.incompatible(subject, problems);
      }
      int id = state.idOf(canonical).orElseGet(state::nextId);
      write(
          new StoreEvent.SchemaWritten(
              new SchemaEntry(subject, state.nextVersion(subject), id, canonical, false)));
      return id;
    } finally {
      writeLock.unlock();
    }
  }

  SchemaEntry lookup(String subject, SchemaRequest request) {
    Schema schema = parse(request);
    List<SchemaEntry> live = liveVersionsOrThrow(subject);
    String canonical = schema.toString();
    return live.stream()
        .filter(entry -> entry.schema().equals(canonical))
        .findFirst()
        .orElseThrow(RegistryError::schemaNotFound);
  }

  String schemaById(int id) {
    return state.schemaById(id).orElseThrow(() -> RegistryError.schemaNotFound(id));
  }

  List<SchemaEntry> usesOf(int id) {
    schemaById(id);
    return state.usesOf(id);
  }

  List<String> subjects(boolean includeDeleted) {
    return state.subjects(includeDeleted);
  }

  List<Integer> versions(String subject, boolean includeDeleted) {
    List<SchemaEntry> entries = state.versions(subject, includeDeleted);
    if (entries.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    return entries.stream().map(SchemaEntry::version).toList();
  }

  SchemaEntry version(String subject, VersionRef ref) {
    List<SchemaEntry> live = liveVersionsOrThrow(subject);
    if (ref.isLatest()) {
      return live.get(live.size() - 1);
    }
    return live.stream()
        .filter(entry -> entry.version() == ref.number())
        .findFirst()
        .orElseThrow(() -> RegistryError.versionNotFound(ref.text()));
  }

  /** Soft-deletes every live version of {@code subject} and returns their numbers. */
  List<Integer> deleteSubject(String subject) {
    writeLock.lock();
    try {
      List<Integer> deleted = new ArrayList<>();
      for (SchemaEntry entry : liveVersionsOrThrow(subject)) {
        write(new StoreEvent.SchemaWritten(entry.asDeleted()));
        deleted.add(entry.version());
      }
      return deleted;
    } finally {
      writeLock.unlock();
    }
  }

  /** Soft-deletes one version and returns its number. */
  int deleteVersion(String subject, VersionRef ref) {
    writeLock.lock();
    try {
      SchemaEntry entry = version(subject, ref);
      write(new StoreEvent.SchemaWritten(entry.asDeleted()));
      return entry.version();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Why {@code request}'s schema could not follow the subject's versions; empty if it could.
   *
   * @param ref a specific version to check against alone, the latest (checked by the subject's
   *     level, transitively if the level says so), or empty for all live versions by the level
   */
  List<String> compatibilityProblems(
      String subject, Optional<VersionRef> ref, SchemaRequest request) {
    Schema schema = parse(request);
    CompatibilityLevel level = state.effectiveLevel(subject);
    List<SchemaEntry> live = state.versions(subject, false);
    if (ref.isEmpty() || ref.get().isLatest()) {
      // Like Confluent: with nothing registered yet, any valid schema is compatible.
      return CompatibilityChecker.problems(level, schema, earlier(live));
    }
    SchemaEntry against = version(subject, ref.get());
    return CompatibilityChecker.problems(level, schema, earlier(List.of(against)));
  }

  CompatibilityLevel globalLevel() {
    return state.globalLevel();
  }

  CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
    Optional<CompatibilityLevel> own = state.subjectLevel(subject);
    if (own.isPresent()) {
      return own.get();
    }
    if (defaultToGlobal) {
      return state.globalLevel();
    }
    throw RegistryError.subjectLevelConfigNotFound(subject);
  }

  /** Sets the global level ({@code subject == null}) or a subject's own. */
  CompatibilityLevel setLevel(String subject, String levelName) {
    CompatibilityLevel level =
        CompatibilityLevel.parse(levelName)
            .orElseThrow(() -> RegistryError.invalidCompatibilityLevel(levelName));
    writeLock.lock();
    try {
      write(new StoreEvent.ConfigWritten(subject, level));
      return level;
    } finally {
      writeLock.unlock();
    }
  }

  /** Parses a version path segment as Confluent does: "latest", -1 (latest), or 1..2^31-1. */
  static VersionRef versionRef(String text) {
    if ("latest".equals(text)) {
      return new VersionRef(text, null);
    }
    final int number;
    try {
      number = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw RegistryError.invalidVersion(text);
    }
    if (number == -1) {
      return new VersionRef(text, null);
    }
    if (number < 1) {
      throw RegistryError.invalidVersion(text);
    }
    return new VersionRef(text, number);
  }

  private void write(StoreEvent event) {
    log.accept(event);
    state.apply(event);
  }

  private List<SchemaEntry> liveVersionsOrThrow(String subject) {
    List<SchemaEntry> live = state.versions(subject, false);
    if (live.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    return live;
  }

  private static List<CompatibilityChecker.EarlierVersion> earlier(List<SchemaEntry> entries) {
    List<CompatibilityChecker.EarlierVersion> earlier = new ArrayList<>();
    for (SchemaEntry entry : entries) {
      // Stored schemas were valid when registered; parse each with a fresh parser, since a parser
      // remembers named types and would reject the second definition of the same record.
      earlier.add(
          new CompatibilityChecker.EarlierVersion(
              entry.version(), new Schema.Parser().parse(entry.schema())));
    }
    return earlier;
  }

  private static Schema parse(SchemaRequest request) {
    if (request.schemaType() != null && !"AVRO".equals(request.schemaType())) {
      throw RegistryError.invalidSchema(
          "schema type " + request.schemaType() + " is not supported; this registry holds AVRO");
    }
    if (request.hasReferences()) {
      throw RegistryError.invalidSchema("schema references are not supported by this registry");
    }
    if (request.schema() == null || request.schema().isBlank()) {
      throw RegistryError.invalidSchema("empty schema");
    }
    try {
      return new Schema.Parser().parse(request.schema());
    } catch (RuntimeException e) {
      // SchemaParseException mostly, but Avro also throws AvroTypeException for bad defaults.
      throw RegistryError.invalidSchema(e.getMessage());
    }
  }
}
