package io.rrmq.raft.runtime;

import io.rrmq.raft.LogEntry;

/**
 * When to take a snapshot: once the entries applied since the last one pass
 * {@code RaftConfig.snapshotEntries} or their data {@code RaftConfig.snapshotBytes}, and no snapshot
 * is being written already. Owned by the event loop.
 */
final class SnapshotPolicy {
    private final long maxEntries;
    private final long maxBytes;
    private long entriesSince;
    private long bytesSince;
    private boolean inProgress;

    SnapshotPolicy(long maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    void applied(LogEntry entry) {
        entriesSince++;
        bytesSince += entry.data().length;
    }

    boolean due() {
        return !inProgress && (entriesSince >= maxEntries || bytesSince >= maxBytes);
    }

    /** A snapshot was captured and is being written: count afresh from here. */
    void started() {
        inProgress = true;
        entriesSince = 0;
        bytesSince = 0;
    }

    /** The snapshot being written is durable, or failed (the next one is due after another threshold). */
    void finished() {
        inProgress = false;
    }

    /** The state machine was reset from a snapshot: nothing applied since. */
    void restored() {
        entriesSince = 0;
        bytesSince = 0;
    }
}
