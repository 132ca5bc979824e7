package io.rrmq.raft;

/**
 * What a running node reports as it works, for metrics and operators' logs: timings, batch sizes,
 * acknowledgements and changes of role or term. raft-lib depends on no metrics library; an
 * embedder binds these calls to its own registry (RRMQ's server binds them to Prometheus).
 *
 * <p><b>Threads and cost.</b> Each method says which of the node's threads calls it. Every call is
 * on a hot path (the event loop, the storage thread): an implementation must return quickly, must
 * not block, must not throw and should not allocate. Every method does nothing by default.
 *
 * <p>{@link #ticked} is also the one place where an embedder may read its {@link StateMachine}
 * from outside: it runs on the event loop, the thread that applies entries, between two turns.
 */
public interface RaftObserver {
    /** Observes nothing. */
    RaftObserver NONE = new RaftObserver() {
    };

    /**
     * Storage thread: one sync made {@code entries} newly written log entries durable (0 when only
     * the hard state or a truncation was written) and took {@code nanos}.
     *
     * @param nanos   how long the sync took
     * @param entries log entries it made durable
     */
    default void synced(long nanos, int entries) {
    }

    /**
     * Event loop: an AppendEntries carrying {@code entries} (at least one) is sent to {@code peer}.
     *
     * @param peer    the follower
     * @param entries entries in the message
     */
    default void appendEntriesSent(int peer, int entries) {
    }

    /**
     * Event loop, leader only: {@code peer} acknowledged that its log matches ours up to
     * {@code matchIndex} (a successful AppendEntries response).
     *
     * @param peer       the follower
     * @param matchIndex the highest index known to match
     */
    default void appendEntriesAcknowledged(int peer, long matchIndex) {
    }

    /**
     * Event loop: a proposal accepted by this node was committed and applied {@code nanos} after
     * {@link RaftNode#propose} was called.
     *
     * @param nanos time from propose to apply
     */
    default void proposalApplied(long nanos) {
    }

    /**
     * Event loop: this node's role, term or known leader changed from {@code before} to
     * {@code after}.
     *
     * @param before the status before the change
     * @param after  the status after it
     */
    default void statusChanged(RaftStatus before, RaftStatus after) {
    }

    /**
     * Snapshot thread: a snapshot of the state up to {@code index} is durable after {@code nanos}.
     *
     * @param index the snapshot's last included index
     * @param nanos time from capture until durable
     */
    default void snapshotSaved(long index, long nanos) {
    }

    /**
     * Event loop: the state machine was reset from the leader's snapshot up to {@code index}.
     *
     * @param index the snapshot's last included index
     */
    default void snapshotInstalled(long index) {
    }

    /**
     * Event loop, after it handled clock ticks: proof that the loop is alive, with its latest status.
     * While nothing happens the loop sleeps through the ticks that cannot time anything out and makes
     * them up when it wakes, so this comes at least once per heartbeat interval on a leader and once
     * per election timeout elsewhere, not every {@link RaftConfig#tickInterval}.
     *
     * @param status the node's status after the tick
     */
    default void ticked(RaftStatus status) {
    }
}
