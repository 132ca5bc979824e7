package io.rrmq.raft;

import io.rrmq.raft.message.RaftMessage;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a Raft group: the embedder's handle on a running node. Thread-safe: every method may
 * be called from any thread.
 */
public interface RaftNode extends AutoCloseable {

    /** This node's id within the group. */
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
     *   <li>{@link NodeClosedException} when the node shuts down first: the outcome is unknown.</li>
     * </ul>
     */
    CompletableFuture<byte[]> propose(byte[] command);

    /** Hands an inbound message from a peer to this node. Never blocks. */
    void receive(RaftMessage message);

    /** The latest status published by the event loop (at most one event-loop turn old). */
    RaftStatus status();

    /** Counters since start; implementations that keep none return {@link RaftMetrics#NONE}. */
    default RaftMetrics metrics() {
        return RaftMetrics.NONE;
    }

    /**
     * Why this node refuses new commands because of its storage (for example its disk is below the
     * free-space reserve), or {@code null} when it accepts them.
     */
    default String storageError() {
        return null;
    }

    /** Stops the node: its threads end and its storage is closed. Pending proposals fail. */
    @Override
    void close();
}
