package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;

/** The job's own Flink configuration, read back through Flink's typed options. */
class JobConfigurationTest {
  private final Configuration conf =
      LearnerJobMain.jobConfiguration(
          JobSettings.defaults(Path.of("catalog.yaml"), "localhost:9092", "http://localhost:8081"),
          false);

  @Test
  void shouldUseRocksDbWithIncrementalCheckpoints() {
    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    assertThat(conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isFalse();
  }

  @Test
  void shouldStoreRocksDbFilesUncompressedWithBloomFilters() {
    assertThat(conf.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
        .isEqualTo(List.of(CompressionType.NO_COMPRESSION));
    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
  }
}
