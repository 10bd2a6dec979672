package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.RocksDB;

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

  @Test
  void shouldCompactLevelZeroAtSixteenFiles() throws Exception {
    assertThat(conf.get(RocksDBOptions.OPTIONS_FACTORY))
        .isEqualTo(Level0CompactionOptions.class.getName());
    RocksDB.loadLibrary();
    List<AutoCloseable> handles = new ArrayList<>();
    try (ColumnFamilyOptions defaults = new ColumnFamilyOptions()) {
      ColumnFamilyOptions options =
          new Level0CompactionOptions().createColumnOptions(defaults, handles);
      assertThat(options.level0FileNumCompactionTrigger()).isEqualTo(16);
      assertThat(options.level0SlowdownWritesTrigger()).isEqualTo(48);
      assertThat(options.level0StopWritesTrigger()).isEqualTo(80);
    }
    assertThat(handles).isEmpty();
  }
}
