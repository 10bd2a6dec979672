package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** The job jar that {@code mvn package} builds carries what the job runs and nothing else. */
class JobJarIT {
  private static final List<String> NOT_THE_JOB =
      List.of(
          "io/lethe/demo/",
          "io/lethe/cluster/",
          "io/lethe/local/",
          "io/lethe/testing/",
          "io/lethe/evaluation/",
          "io/lethe/loadtests/",
          "io/lethe/ingress/",
          "io/lethe/serving/",
          "org/junit/",
          "org/testcontainers/",
          "org/apache/kafka/common/test/",
          "org/openjdk/jmh/");

  @Test
  void holdsTheJobAndItsLibrariesButNoToolingOrTestCode() throws IOException {
    Path jar = JobSubmission.defaultJobJar();
    assertThat(jar).exists();
    List<String> entries;
    try (JarFile file = new JarFile(jar.toFile())) {
      entries = file.stream().map(ZipEntry::getName).toList();
    }
    assertThat(entries)
        .contains(
            "io/lethe/job/ClusterJob.class",
            "io/lethe/catalog/ModelCatalog.class",
            "io/lethe/learners/analytic/AnalyticLearner.class",
            "org/apache/flink/connector/kafka/sink/KafkaSink.class");
    assertThat(entries)
        .filteredOn(entry -> NOT_THE_JOB.stream().anyMatch(entry::startsWith))
        .isEmpty();
    assertThat(entries)
        .noneMatch(entry -> entry.startsWith("io/lethe/") && entry.contains("/bench/"));
  }
}
