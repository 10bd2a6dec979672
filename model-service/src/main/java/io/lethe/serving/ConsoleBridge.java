package io.lethe.serving;

import io.lethe.learners.snapshot.Scorer;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.TaskSamples;
import io.lethe.serving.console.ConsoleSources;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The console's view of the {@link ModelTable} and the {@link LearnerStatusTable}. */
final class ConsoleBridge implements ConsoleSources {
  private final ModelTable table;
  private final LearnerStatusTable learners;

  ConsoleBridge(ModelTable table, LearnerStatusTable learners) {
    this.table = table;
    this.learners = learners;
  }

  @Override
  public List<ModelView> models() {
    Instant now = learners.now();
    return table.current().stream()
        .sorted(Comparator.comparing(ServedModel::name))
        .map(model -> view(model, now))
        .toList();
  }

  private ModelView view(ServedModel model, Instant now) {
    LearnerStatus status = learners.status(model.name());
    LearnerHeartbeat newest = status.newest();
    Map<String, Long> samples = new LinkedHashMap<>();
    for (TaskSamples task : model.lineage().getSamplesPerTask()) {
      samples.put(task.getTask(), task.getSamples());
    }
    return new ModelView(
        model.name(),
        model.learner().name(),
        model.version(),
        model.createdAt().toEpochMilli(),
        model.loadedAt().toEpochMilli(),
        LearnerStatusTable.snapshotAgeSeconds(model, now),
        status.state().label,
        newest == null ? null : newest.getSamplesLearned(),
        newest == null ? null : (long) newest.getSamplesBuffered(),
        samples,
        List.copyOf(model.lineage().getErasedTasks()));
  }

  @Override
  public <T> Optional<T> withScorer(String name, long version, Function<Scorer, T> use) {
    ServedModel model = table.acquire(name);
    if (model == null) {
      return Optional.empty();
    }
    try {
      return model.version() == version
          ? Optional.ofNullable(use.apply(model.scorer()))
          : Optional.empty();
    } finally {
      model.release();
    }
  }
}
