package io.lethe.catalog;

import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.hypernet.HypernetSettings;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import io.lethe.records.LearnerKind;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One model declared in the catalog. Its own keys are declared once in {@link #SETTINGS}, its
 * learner's in {@link #learnerSettings(LearnerKind)}; programs build one with {@link #of} and the
 * {@code with} methods instead of writing YAML.
 *
 * @param name unique model name; the key of its snapshots on {@code lethe.models}
 * @param learner learning method
 * @param dataset the dataset it learns from
 * @param device DJL device to learn on, e.g. {@code cpu} or {@code gpu0}
 * @param snapshot when it publishes snapshots
 * @param settings learner settings by declared key, in their canonical text (checked against the
 *     learner's declarations)
 * @param shards learner subtasks the model's samples are spread over, by subject (1: one subtask,
 *     as an unsharded model; only analytic models may have more)
 */
public record ModelSpec(
    String name,
    LearnerKind learner,
    String dataset,
    String device,
    SnapshotPolicy snapshot,
    Map<String, String> settings,
    int shards)
    implements Serializable {

  /** The most learner subtasks one model's samples can be spread over. */
  public static final int MAX_SHARDS = 1024;

  static final Pattern NAME_PATTERN = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
  static final String NAME_ALLOWED = "1-200 characters of a-z A-Z 0-9 . _ -";

  /** The model's name. */
  public static final SettingDef<String> NAME =
      SettingDef.text(
          "name",
          null,
          NAME_PATTERN,
          NAME_ALLOWED,
          "unique model name; the key of its snapshots and the name predictions use");

  /** The learning method. */
  public static final SettingDef<LearnerKind> LEARNER =
      SettingDef.custom(
          "learner",
          "analytic or hypernetwork",
          null,
          ModelSpec::parseLearner,
          kind -> kind.name().toLowerCase(Locale.ROOT),
          kind -> true,
          "analytic or hypernetwork",
          "learning method: analytic (exact erasure) or hypernetwork (task erasure)");

  /** The dataset learned from. */
  public static final SettingDef<String> DATASET =
      SettingDef.text(
          "dataset",
          null,
          NAME_PATTERN,
          "the name of a declared dataset",
          "the dataset the model learns from");

  /** Where the model learns. */
  public static final SettingDef<String> DEVICE =
      SettingDef.text(
          "device",
          "cpu",
          Pattern.compile("cpu|gpu\\d*"),
          "cpu, gpu or gpuN",
          "device to learn on (gpu is gpu0)");

  /** How many learner subtasks share the model's samples. */
  public static final SettingDef<Integer> SHARDS =
      SettingDef.integer(
          "shards",
          1,
          Bounds.closed(1, MAX_SHARDS),
          "learner subtasks that share the model's samples, by subject; their sums are merged for"
              + " each snapshot (analytic only; 1 learns in one subtask)");

  /** Key of the model's {@link SnapshotPolicy} section. */
  public static final String SNAPSHOT = "snapshot";

  /** Key of the model's learner settings section. */
  public static final String LEARNER_SETTINGS = "settings";

  /** The model's own keys, in order (the sections {@value #SNAPSHOT} and settings follow). */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(NAME, LEARNER, DATASET, DEVICE, SHARDS);

  /** Checks the model's own values and its learner settings against their declarations. */
  public ModelSpec {
    String where = "model '" + name + "': ";
    NAME.validate(where, name);
    LEARNER.validate(where, learner);
    DATASET.validate(where, dataset);
    DEVICE.validate(where, device);
    SHARDS.validate(where, shards);
    if (shards > 1 && learner != LearnerKind.ANALYTIC) {
      // the hypernetwork's weights are trained by gradient steps that do not add across shards
      throw new IllegalArgumentException(
          where
              + SHARDS.key()
              + " is "
              + shards
              + ", but a "
              + learner.name().toLowerCase(Locale.ROOT)
              + " model learns in one subtask; only analytic models can have "
              + SHARDS.key()
              + " > 1");
    }
    if (snapshot == null) {
      throw new IllegalArgumentException(where + SNAPSHOT + " is missing");
    }
    // kept in canonical text, so a catalog read back from its YAML is equal to the original
    settings =
        SettingValues.parse(where + LEARNER_SETTINGS + ".", learnerSettings(learner), settings)
            .asText();
  }

  /** A model in one learner subtask. */
  public ModelSpec(
      String name,
      LearnerKind learner,
      String dataset,
      String device,
      SnapshotPolicy snapshot,
      Map<String, String> settings) {
    this(name, learner, dataset, device, snapshot, settings, 1);
  }

  /** A model on the CPU with the default snapshot policy and default learner settings. */
  public static ModelSpec of(String name, LearnerKind learner, String dataset) {
    return new ModelSpec(
        name,
        learner,
        dataset,
        DEVICE.defaultValue().orElseThrow(),
        SnapshotPolicy.defaults(),
        Map.of());
  }

  /**
   * The learner settings a catalog model of {@code learner} may set, declared by the learner's
   * settings type.
   */
  public static List<SettingDef<?>> learnerSettings(LearnerKind learner) {
    return switch (learner) {
      case ANALYTIC -> AnalyticSettings.CATALOG_SETTINGS;
      case HYPERNETWORK -> HypernetSettings.CATALOG_SETTINGS;
    };
  }

  /** A copy with another device. */
  public ModelSpec withDevice(String value) {
    return new ModelSpec(name, learner, dataset, value, snapshot, settings, shards);
  }

  /** A copy whose samples are spread over {@code value} learner subtasks. */
  public ModelSpec withShards(int value) {
    return new ModelSpec(name, learner, dataset, device, snapshot, settings, value);
  }

  /** A copy with another snapshot policy. */
  public ModelSpec withSnapshot(SnapshotPolicy value) {
    return new ModelSpec(name, learner, dataset, device, value, settings, shards);
  }

  /**
   * A copy with a learner setting set, under its declared key.
   *
   * @throws IllegalArgumentException if the learner has no such setting or the value is not allowed
   */
  public <T> ModelSpec with(SettingDef<T> setting, T value) {
    Map<String, String> copy = new LinkedHashMap<>(settings);
    copy.put(
        setting.key(),
        setting.format(setting.validate("model '" + name + "': " + LEARNER_SETTINGS + ".", value)));
    return new ModelSpec(name, learner, dataset, device, snapshot, copy, shards);
  }

  /** The learner settings as declared values (defaults not filled in). */
  public SettingValues learnerValues() {
    return SettingValues.parse(
        "model '" + name + "': " + LEARNER_SETTINGS + ".", learnerSettings(learner), settings);
  }

  private static LearnerKind parseLearner(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "analytic" -> LearnerKind.ANALYTIC;
      case "hypernetwork", "hypernet" -> LearnerKind.HYPERNETWORK;
      default -> throw new IllegalArgumentException(text);
    };
  }
}
