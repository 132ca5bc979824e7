package io.rrmq.raft;

/**
 * Counters of one node since it started, for operators and benchmarks.
 *
 * @param fsyncs           storage syncs performed
 * @param entriesPersisted log entries written to storage
 * @param entriesApplied   committed entries applied to the state machine
 * @param proposals        client proposals accepted for appending
 * @param snapshotsTaken   snapshots of the state machine saved by this node
 * @param snapshotsInstalled snapshots received from a leader and installed
 * @param lastSnapshotCaptureMicros how long the event loop stalled capturing the last snapshot
 * @param lastSnapshotMicros how long the last snapshot took from capture until durable
 */
public record RaftMetrics(long fsyncs, long entriesPersisted, long entriesApplied, long proposals,
                          long snapshotsTaken, long snapshotsInstalled, long lastSnapshotCaptureMicros,
                          long lastSnapshotMicros) {
    /** All zero: a node that keeps no counters. */
    public static final RaftMetrics NONE = new RaftMetrics(0, 0, 0, 0, 0, 0, 0, 0);
}
