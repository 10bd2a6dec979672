package io.lethe.serving.console;

import io.lethe.learners.snapshot.Scorer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** What the model service tells the console about the models it serves. */
public interface ConsoleSources {

  /** The served models now, in name order. */
  List<ModelView> models();

  /**
   * Applies {@code use} to the scorer of {@code model} if version {@code version} is still served,
   * holding the version for the duration (a swap does not free it under {@code use}).
   *
   * @return what {@code use} returned, or empty if that version is no longer served
   */
  <T> Optional<T> withScorer(String model, long version, Function<Scorer, T> use);

  /**
   * One served model as the console shows it.
   *
   * @param name model name
   * @param learner learner kind, e.g. {@code ANALYTIC}
   * @param version the served version
   * @param createdAt when the job created that version (epoch milliseconds)
   * @param loadedAt when the service swapped it in (epoch milliseconds)
   * @param snapshotAgeSeconds the served snapshot's age
   * @param learnerStatus {@code running}, {@code not-running} or {@code unknown}
   * @param samplesLearned samples the learner has learned in total, from its newest heartbeat, or
   *     null before any
   * @param samplesBuffered samples waiting in the learner's micro-batch, or null
   * @param samplesPerTask the served version's lineage: samples it learned per task
   * @param erasedTasks tasks erased from the served version
   */
  record ModelView(
      String name,
      String learner,
      long version,
      long createdAt,
      long loadedAt,
      double snapshotAgeSeconds,
      String learnerStatus,
      Long samplesLearned,
      Long samplesBuffered,
      Map<String, Long> samplesPerTask,
      List<String> erasedTasks) {}
}
