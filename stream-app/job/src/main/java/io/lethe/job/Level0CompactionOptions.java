package io.lethe.job;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB options of the job's state: level 0 is compacted into level 1 once it holds {@value
 * #COMPACTION_TRIGGER} files, not RocksDB's default 4.
 *
 * <p>Why: every checkpoint flushes each state's memtable into a new level-0 file (one every 2 s by
 * default), and each level-0 compaction rewrites with them the level-1 files their keys overlap,
 * here nearly all of level 1 (keys are spread over the key groups). The learner's state is few,
 * large values (a task's sums are 16 MiB) that live for minutes, and the ledger's values are
 * feature vectors (about 1 KB packed for a Fashion-MNIST image, 3 KB before packing), so the
 * default rewrote the same bytes every four checkpoints, and an incremental checkpoint then copied
 * the rewritten files again. At the higher trigger a compaction runs a quarter as often, and in
 * {@code lethe bench-job} RocksDB's compaction, flush and checkpoint-upload threads take clearly
 * less CPU a sample (docs/benchmarks.md#settings-chosen-by-measurement).
 *
 * <p>The price: a read that misses the memtable looks into up to {@value #COMPACTION_TRIGGER}
 * level-0 files instead of 4. The job's reads are point lookups (the ledger's, about one a sample)
 * behind bloom filters, which skip almost every file that lacks the key. Writes slow down and stop
 * at 3 and 5 times the trigger, above RocksDB's defaults (20 and 36 files), so that compaction has
 * room to catch up before writes stall.
 */
public final class Level0CompactionOptions implements RocksDBOptionsFactory {
  private static final long serialVersionUID = 1L;

  /** Level-0 files that start a compaction into level 1. */
  static final int COMPACTION_TRIGGER = 16;

  @Override
  public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
    return current;
  }

  @Override
  public ColumnFamilyOptions createColumnOptions(
      ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
    return current
        .setLevel0FileNumCompactionTrigger(COMPACTION_TRIGGER)
        .setLevel0SlowdownWritesTrigger(3 * COMPACTION_TRIGGER)
        .setLevel0StopWritesTrigger(5 * COMPACTION_TRIGGER);
  }
}
