package io.rrmq.raft;

/**
 * Counters of one node since it started, for operators and benchmarks.
 *
 * @param fsyncs           storage syncs performed
 * @param entriesPersisted log entries written to storage
 * @param entriesApplied   committed entries applied to the state machine
 * @param proposals        client proposals accepted for appending
 */
public record RaftMetrics(long fsyncs, long entriesPersisted, long entriesApplied, long proposals) {
    public static final RaftMetrics NONE = new RaftMetrics(0, 0, 0, 0);
}
