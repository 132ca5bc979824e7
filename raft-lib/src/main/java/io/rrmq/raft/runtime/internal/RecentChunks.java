package io.rrmq.raft.runtime.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * The snapshot chunks a leader sent lately, per follower, so that copies asked for while the
 * snapshot thread was busy are not sent right after the first. The core asks for a follower's
 * window of chunks again after each election timeout without an answer; while the snapshot thread
 * makes a large snapshot whole (seconds per GiB) those requests pile up behind it, and sending
 * every copy once it is done put a chunk per copy on the follower's lane (1 GiB catch-up: the
 * leader's heap filled up and it stopped). A copy of a chunk sent within the last election timeout
 * is skipped: if the chunk was lost after all, the core asks once more a timeout later, so a loss
 * costs at most one timeout more. Used on the snapshot thread only.
 */
public final class RecentChunks {
    private record Chunk(int peer, long index, long offset) {
    }

    private final long windowNanos;
    private final Map<Chunk, Long> sentAt = new HashMap<>();

    /**
     * @param windowNanos how long a sent chunk counts as recent: the election timeout
     */
    public RecentChunks(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Whether the chunk at {@code offset} of snapshot {@code index} went to {@code peer} within the window before {@code now}. */
    public boolean sentRecently(int peer, long index, long offset, long now) {
        sentAt.values().removeIf(at -> now - at >= windowNanos);
        return sentAt.containsKey(new Chunk(peer, index, offset));
    }

    /** Records that the chunk at {@code offset} of snapshot {@code index} went to {@code peer} at {@code now}. */
    public void sent(int peer, long index, long offset, long now) {
        sentAt.put(new Chunk(peer, index, offset), now);
    }
}
