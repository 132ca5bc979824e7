package io.rrmq.raft.core;

/**
 * The core, as leader, wants one chunk of its snapshot file sent to {@code peer}: the runtime reads
 * at most {@code RaftConfig.snapshotChunkBytes} bytes at {@code offset} of the snapshot at
 * {@code lastIncludedIndex} and sends them as an {@link io.rrmq.raft.message.InstallSnapshot} in
 * {@code term}, with {@code done} set if they reach the end of the file. If that snapshot is gone,
 * it reports {@link RaftCore#snapshotUnavailable}.
 */
public record SnapshotChunkRequest(int peer, long term, long lastIncludedIndex, long lastIncludedTerm,
                                   long offset) {
}
