package io.rrmq.raft;

import io.rrmq.raft.message.RaftMessage;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a Raft group: the embedder's handle on a running node. Thread-safe: every method may
 * be called from any thread.
 */
public interface RaftNode extends AutoCloseable {

    /** {@return this node's id within the group} */
    int id();

    /**
     * Proposes a command for replication.
     *
     * <p>The future completes with the {@link StateMachine}'s result once the entry is committed
     * (durable on a majority) and applied on this node. It fails with:
     * <ul>
     *   <li>{@link NotLeaderException} when this node is not the leader: nothing was appended, the
     *       command will never take effect; retry at the hinted leader;</li>
     *   <li>{@link OverloadedException} when too many proposals are pending: nothing was appended;</li>
     *   <li>{@link LeadershipLostException} when this node stopped being leader after appending the
     *       command but before learning that it committed: the outcome is unknown;</li>
     *   <li>{@link NodeClosedException} when the node shuts down after appending the command but
     *       before learning that it committed (the outcome is unknown), and for every command once
     *       its engine has failed ({@link #stopped()}).</li>
     * </ul>
     * A command proposed once {@link #close()} has begun fails with {@link NotLeaderException}
     * (hinting the leader this node knew): nothing was appended.
     *
     * @param command the bytes {@link StateMachine#apply} will get, unchanged
     * @return the state machine's result, once committed and applied here
     */
    CompletableFuture<byte[]> propose(byte[] command);

    /**
     * Waits until this node may serve a linearizable read from its state machine, without writing
     * to the log (ReadIndex, thesis §6.4): what the state machine holds once the future completes is
     * at least as new as every command acknowledged before this call.
     *
     * <p>The leader waits until an entry of its term has committed, takes its commit index as the
     * read index, confirms that it still leads with one heartbeat round answered by a majority (one
     * round serves every read asked before it started; with {@link RaftConfig#leaseReads()} a valid
     * lease replaces the round), and completes once it has applied the read index. A follower asks
     * the leader for a read index and completes once it has applied that far itself. Nothing is
     * written or synced for a read.
     *
     * <p>Completes with the read index, on the node's event-loop thread. It fails with
     * {@link NotLeaderException} (nothing was read; retry at the hinted leader, or later when there
     * is none) if this node is neither leader nor knows one, if it loses its leadership (or its
     * leader) before the read is confirmed, or if the leader does not answer a follower within
     * {@link RaftConfig#checkQuorumTicks()}; with {@link OverloadedException} when
     * {@link RaftConfig#maxPendingProposals()} reads are pending; with {@link NotLeaderException}
     * too when the node is closed first, and with {@link NodeClosedException} once its engine has
     * failed.
     *
     * @return the read index, once this node has applied it
     */
    default CompletableFuture<Long> readIndex() {
        return CompletableFuture.failedFuture(new NotLeaderException(RaftStatus.NO_LEADER));
    }

    /**
     * A linearizable read of the state machine: once {@link #readIndex()} allows it, runs
     * {@link StateMachine#query} with {@code query} on the event loop and completes with its result.
     * Fails as {@link #readIndex()} does, and with whatever {@link StateMachine#query} throws.
     *
     * @param query the state machine's read command, unchanged
     * @return the state machine's answer
     */
    default CompletableFuture<byte[]> query(byte[] query) {
        return CompletableFuture.failedFuture(new NotLeaderException(RaftStatus.NO_LEADER));
    }

    /**
     * Hands an inbound message from a peer to this node. Never blocks.
     *
     * @param message what the transport received
     */
    void receive(RaftMessage message);

    /**
     * Adds a learner (thesis §4.2.1): it receives the log and snapshots but neither votes nor counts
     * in majorities. Only the leader can; one membership change at a time.
     *
     * <p>Completes with the new configuration once its entry is committed and applied here. Fails
     * with {@link NotLeaderException}, {@link MembershipChangeException} (refused: see
     * {@link MembershipChangeException#retryable()}), or {@link LeadershipLostException} /
     * {@link NodeClosedException} (outcome unknown: read the configuration again).
     *
     * @param id      a new id, never used in this group before
     * @param address where the embedder's transport reaches it
     * @return the new configuration, once committed and applied here
     */
    default CompletableFuture<Configuration> addLearner(int id, String address) {
        return CompletableFuture.failedFuture(new MembershipChangeException("not supported", false));
    }

    /**
     * Makes learner {@code id} a voter once it has caught up: in rounds of replication, each up to the
     * leader's log end when it starts; once a round takes less than an election timeout the promotion
     * is appended (thesis §4.2.1). Fails with {@link MembershipChangeException} if the learner is not
     * caught up after 10 rounds or makes no progress for 10 seconds; otherwise as {@link #addLearner}.
     *
     * @param id a learner's id
     * @return the new configuration, once committed and applied here
     */
    default CompletableFuture<Configuration> promote(int id) {
        return CompletableFuture.failedFuture(new MembershipChangeException("not supported", false));
    }

    /**
     * Removes server {@code id}, voter or learner; completes once the change is committed and
     * applied here. The leader itself can be removed: it goes on leading until the change commits,
     * then steps down and never campaigns again (thesis §4.2.2); callers usually transfer leadership
     * first. Failures as {@link #addLearner}.
     *
     * @param id a member's id
     * @return the new configuration, once committed and applied here
     */
    default CompletableFuture<Configuration> remove(int id) {
        return CompletableFuture.failedFuture(new MembershipChangeException("not supported", false));
    }

    /**
     * Hands leadership to voter {@code target}, or to the most up-to-date other voter if
     * {@code target} is -1 (thesis §3.10). The leader stops accepting proposals, brings the target's
     * log up to its own and tells it to campaign at once. Completes with the id of the leader this
     * node then knows (-1 if none yet) once this node no longer leads; fails with
     * {@link MembershipChangeException} if no other node took over within an election timeout (the
     * node then serves again as leader), or with {@link NotLeaderException}.
     *
     * @param target a voter's id, or -1 for the most up-to-date one
     * @return the leader this node knows once it no longer leads, or -1
     */
    default CompletableFuture<Integer> transferLeadership(int target) {
        return CompletableFuture.failedFuture(new MembershipChangeException("not supported", false));
    }

    /**
     * What the leader knows of each member's log: member id to the highest index known to match the
     * leader's (its own durable index for the leader itself). Empty when this node is not the leader.
     *
     * @return member id to match index
     */
    default CompletableFuture<java.util.Map<Integer, Long>> matchIndexes() {
        return CompletableFuture.completedFuture(java.util.Map.of());
    }

    /** {@return the latest status published by the event loop (at most one event-loop turn old)} */
    RaftStatus status();

    /**
     * Proposals accepted by {@link #propose} and not answered yet (the backpressure bound of
     * {@link RaftConfig#maxPendingProposals()} applies to this number); 0 if not counted.
     *
     * @return the proposals pending
     */
    default int pendingProposals() {
        return 0;
    }

    /** {@return counters since start; implementations that keep none return {@link RaftMetrics#NONE}} */
    default RaftMetrics metrics() {
        return RaftMetrics.NONE;
    }

    /**
     * Why this node refuses new commands because of its storage (for example its disk is below the
     * free-space reserve), or {@code null} when it accepts them.
     *
     * @return the reason, or {@code null}
     */
    default String storageError() {
        return null;
    }

    /**
     * Completes once this node has stopped serving.
     *
     * <p>Normally after {@link #close()}: the future completes with {@code null}. It completes
     * <b>exceptionally</b>, with the cause, as soon as the node stops by itself because it can no
     * longer go on safely: a storage write or sync failed (after a failed fsync the page cache is in
     * an unknown state, so nothing may be acknowledged or voted on from it), or a Raft invariant
     * broke. Such a node never recovers in-process: it answers every proposal with
     * {@link NodeClosedException} and its {@link #status()} is frozen. The embedder should log the
     * cause, {@link #close()} the node and, in a server, exit non-zero so that a supervisor restarts
     * it; recovery from storage then decides what survived (crash-only, as etcd does on a failed fsync).
     *
     * <p>Callbacks run on the thread that saw the failure (an internal thread of the node): they must
     * not block, and must not call {@link #close()} on that thread, which waits for it.
     *
     * @return completes when the node stopped; exceptionally if it stopped by itself
     */
    CompletableFuture<Void> stopped();

    /** Stops the node: its threads end and its storage is closed. Pending proposals fail. */
    @Override
    void close();
}
