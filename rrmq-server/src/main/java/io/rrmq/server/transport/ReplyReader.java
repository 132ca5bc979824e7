package io.rrmq.server.transport;

import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.server.security.PeerAuthenticator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the messages a peer sent back in the reply to a batch (see {@link ReplyHolds}) to this
 * node's engine, under the same rules as a request to {@code /raft}: the body must carry a valid
 * signature under the cluster key, made by that peer for this node, and every message must be from
 * that peer to this node; anything else is dropped, counted and logged once. Called by the peer's
 * sender thread.
 */
final class ReplyReader {
    private static final Logger log = LoggerFactory.getLogger(ReplyReader.class);

    private final int selfId;
    private final PeerAuthenticator authenticator;
    private final Consumer<RaftMessage> engine;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param engine takes a message for this node's engine; never blocks (it only queues) */
    ReplyReader(int selfId, PeerAuthenticator authenticator, Consumer<RaftMessage> engine) {
        this.selfId = selfId;
        this.authenticator = authenticator;
        this.engine = engine;
    }

    /** Checks and delivers the messages in {@code reply}, which came from {@code peer}. */
    void deliver(int peer, PeerReply reply) {
        PeerAuthenticator.Verdict verdict = authenticator.verify(reply.signature(), selfId, reply.body());
        if (!verdict.ok() || verdict.sender() != peer) {
            refuse(peer, verdict.ok() ? "signed by node " + verdict.sender() : verdict.problem());
            return;
        }
        List<RaftMessage> messages;
        try {
            messages = MessageCodec.decodeBatch(reply.body());
        } catch (IllegalArgumentException e) {
            refuse(peer, "bad Raft message batch: " + e.getMessage());
            return;
        }
        for (RaftMessage m : messages) {
            if (m.to() != selfId || m.from() != peer) {
                refuse(peer, "a message from " + m.from() + " to " + m.to());
                continue;
            }
            try {
                engine.accept(m);
            } catch (RuntimeException e) {
                return; // the node is shutting down
            }
            received.incrementAndGet();
        }
    }

    private void refuse(int peer, String why) {
        refused.incrementAndGet();
        if (warned.compareAndSet(false, true)) {
            log.warn("dropped the messages in a reply from peer {}: {} (logged once)", peer, why);
        }
    }

    /** Messages handed to the engine. */
    long received() {
        return received.get();
    }

    /** Replies or messages dropped for a bad signature, body or address. */
    long refused() {
        return refused.get();
    }
}
