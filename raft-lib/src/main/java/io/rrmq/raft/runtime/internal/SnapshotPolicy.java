package io.rrmq.raft.runtime.internal;

import io.rrmq.raft.LogEntry;

/**
 * When to take a snapshot: once the entries applied since the last one pass
 * {@code RaftConfig.snapshotEntries} or their data {@code RaftConfig.snapshotBytes}, and no snapshot
 * is being written already. Owned by the event loop.
 */
public final class SnapshotPolicy {
    private final long maxEntries;
    private final long maxBytes;
    private long entriesSince;
    private long bytesSince;
    private boolean inProgress;

    public SnapshotPolicy(long maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    public void applied(LogEntry entry) {
        entriesSince++;
        bytesSince += entry.data().length;
    }

    public boolean due() {
        return !inProgress && (entriesSince >= maxEntries || bytesSince >= maxBytes);
    }

    /** A snapshot was captured and is being written: count afresh from here. */
    public void started() {
        inProgress = true;
        entriesSince = 0;
        bytesSince = 0;
    }

    /** The snapshot being written is durable, or failed (the next one is due after another threshold). */
    public void finished() {
        inProgress = false;
    }

    /** The state machine was reset from a snapshot: nothing applied since. */
    public void restored() {
        entriesSince = 0;
        bytesSince = 0;
    }
}
