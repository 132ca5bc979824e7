package io.rrmq.server.config;

import io.rrmq.mq.QueueBound;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.storage.FileRaftStorage;

/**
 * How a node keeps its data directory bounded. Set with Java system properties (in
 * {@code RRMQ_JVM_OPTS} when started through {@code src/node.py}); every node of a cluster should use
 * the same values.
 *
 * @param snapshotEntries  {@code -Drrmq.snapshot.entries}: snapshot after this many applied entries
 *                         (default {@link RaftConfig#DEFAULT_SNAPSHOT_ENTRIES})
 * @param snapshotBytes    {@code -Drrmq.snapshot.bytes}: or after this many bytes of applied entry data
 *                         (default {@link RaftConfig#DEFAULT_SNAPSHOT_BYTES})
 * @param trailingEntries  {@code -Drrmq.snapshot.trailing}: entries kept in the log behind a snapshot
 *                         for followers a little behind (default
 *                         {@link RaftConfig#DEFAULT_SNAPSHOT_TRAILING_ENTRIES})
 * @param trailingBytes    {@code -Drrmq.snapshot.trailing.bytes}: and at most this many bytes of their
 *                         data, since the log is held in memory (default
 *                         {@link RaftConfig#DEFAULT_SNAPSHOT_TRAILING_BYTES})
 * @param segmentBytes     {@code -Drrmq.segment.bytes}: log segment size; compaction deletes whole
 *                         segments (default {@link FileRaftStorage#DEFAULT_MAX_SEGMENT_SIZE})
 * @param diskReserveBytes {@code -Drrmq.disk.reserve}: below this much free space the node answers
 *                         writes with 503 {@code disk-full} (default 64 MiB; 0 disables the check)
 * @param maxQueuedBytes   {@code -Drrmq.queue.bytes}: while this node leads, puts that would take the
 *                         queued messages past this (their record bytes on disk: UTF-8 length
 *                         + 8 each, see {@link QueueBound}) answer 503 {@code queue-full}, so
 *                         producers outrunning consumers meet backpressure before the disk reserve
 *                         (default {@link QueueBound#DEFAULT_MAX_BYTES}). Checked
 *                         before proposing, so nodes with other values never apply a put differently.
 */
public record StorageSettings(long snapshotEntries, long snapshotBytes, long trailingEntries, long trailingBytes,
                              long segmentBytes,
                              long diskReserveBytes, long maxQueuedBytes) {
    public static final long DEFAULT_DISK_RESERVE = 64L << 20;

    public static StorageSettings defaults() {
        return new StorageSettings(RaftConfig.DEFAULT_SNAPSHOT_ENTRIES, RaftConfig.DEFAULT_SNAPSHOT_BYTES,
                RaftConfig.DEFAULT_SNAPSHOT_TRAILING_ENTRIES, RaftConfig.DEFAULT_SNAPSHOT_TRAILING_BYTES,
                FileRaftStorage.DEFAULT_MAX_SEGMENT_SIZE,
                DEFAULT_DISK_RESERVE, QueueBound.DEFAULT_MAX_BYTES);
    }

    /** The defaults, overridden by whichever {@code rrmq.*} system properties are set. */
    public static StorageSettings fromSystemProperties() throws ConfigException {
        StorageSettings d = defaults();
        return new StorageSettings(
                SystemProperties.longValue("rrmq.snapshot.entries", d.snapshotEntries, 1),
                SystemProperties.longValue("rrmq.snapshot.bytes", d.snapshotBytes, 1),
                SystemProperties.longValue("rrmq.snapshot.trailing", d.trailingEntries, 0),
                SystemProperties.longValue("rrmq.snapshot.trailing.bytes", d.trailingBytes, 0),
                SystemProperties.longValue("rrmq.segment.bytes", d.segmentBytes, 4096),
                SystemProperties.longValue("rrmq.disk.reserve", d.diskReserveBytes, 0),
                SystemProperties.longValue("rrmq.queue.bytes", d.maxQueuedBytes, 1));
    }

    /** {@code config} with these snapshot thresholds. */
    public RaftConfig applyTo(RaftConfig config) {
        return config.withSnapshots(snapshotEntries, snapshotBytes, trailingEntries).withSnapshotTrailingBytes(trailingBytes);
    }
}
