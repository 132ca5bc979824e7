package io.rrmq.raft.core;

/**
 * The core, as leader, wants one chunk of its snapshot file sent to {@code peer}: the runtime reads
 * {@code RaftConfig.snapshotChunkBytes} bytes (fewer only at the end of the file; the core counts
 * the next chunk's offset with that size) at {@code offset} of the snapshot at
 * {@code lastIncludedIndex} and sends them as an {@link io.rrmq.raft.message.InstallSnapshot} in
 * {@code term}, with {@code done} set if they reach the end of the file. If that snapshot is gone,
 * it reports {@link RaftCore#snapshotUnavailable}. The core asks for several chunks ahead without
 * knowing the file's size: a request {@link #pastTheEnd} sends nothing.
 */
public record SnapshotChunkRequest(int peer, long term, long lastIncludedIndex, long lastIncludedTerm,
                                   long offset) {
    /**
     * Whether this chunk would start past the end of a snapshot file of {@code size} bytes (the
     * first chunk of an empty file is still sent: it carries {@code done}).
     *
     * @param size the snapshot file's size in bytes
     * @return whether the runtime sends nothing for this request
     */
    public boolean pastTheEnd(long size) {
        return offset > 0 && offset >= size;
    }
}
