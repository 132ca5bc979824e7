package io.rrmq.raft;

import io.rrmq.raft.message.RaftMessage;

/**
 * Carries Raft messages between nodes. Raft tolerates loss, delay, duplication and reordering, so a
 * transport may drop a message it cannot deliver; delivering one node's messages to a peer in the
 * order they were sent makes replication faster, not safer.
 *
 * <p>Inbound messages are handed to {@link RaftNode#receive(RaftMessage)} by whoever embeds the
 * node. {@link io.rrmq.raft.message.MessageCodec} turns messages into bytes and back for transports
 * that need them.
 */
public interface Transport {

    /**
     * Queues {@code message} for delivery to node {@code message.to()}. Must not block on I/O: it is
     * called from the runtime's event-loop and storage threads.
     *
     * @param message the message; its {@code to()} names the addressee
     */
    void send(RaftMessage message);

    /**
     * The configuration in effect on this node changed (and once at start): from now on messages go
     * to its members. Called on the runtime's event loop; must not block. The default ignores it,
     * for transports that know every address in advance.
     *
     * @param configuration the members, with the addresses given to {@link RaftNode#addLearner}
     */
    default void configurationChanged(Configuration configuration) {
    }
}
