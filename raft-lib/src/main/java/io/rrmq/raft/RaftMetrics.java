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
 * @param readsServed       linearizable reads ({@link RaftNode#readIndex}, {@link RaftNode#query})
 *                          this node served
 * @param readRounds        heartbeat rounds this node started as leader that carried at least one
 *                          read: with many reads in flight one round serves a whole batch, and with
 *                          lease reads on a leader holding its lease starts none
 * @param leaseReads        reads this node served as leader on its lease, without a round
 */
public record RaftMetrics(long fsyncs, long entriesPersisted, long entriesApplied, long proposals,
                          long snapshotsTaken, long snapshotsInstalled, long lastSnapshotCaptureMicros,
                          long lastSnapshotMicros, long readsServed, long readRounds, long leaseReads) {
    /** All zero: a node that keeps no counters. */
    public static final RaftMetrics NONE = new RaftMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
