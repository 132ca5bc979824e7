package io.rrmq.server.http;

import io.rrmq.raft.RaftNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Makes "is the long-poll client still there? then pop for it" one step in log order. A pop is
 * proposed for a held request only once its connection was read and found open; if a put could be
 * proposed between that check and the pop, the pop could take a message that a client, gone before
 * the put was even sent, never receives (its end of stream reached our socket before the put's bytes,
 * but after our check). So every proposal of this node's HTTP layer goes through one lock, and the
 * check and the pop are made under it: whatever a pop can take was proposed before its check. The
 * lock is held for a queue offer (and, for a pop, one non-blocking read), never for I/O that waits.
 */
final class ProposalOrder {
    private final Object lock = new Object();

    /** Proposes {@code command} (encoded) in order with the checked pops. */
    CompletableFuture<byte[]> propose(RaftNode raft, byte[] command) {
        synchronized (lock) {
            return raft.propose(command);
        }
    }

    /**
     * Proposes {@code command} if {@code wanted} still says so when asked under the lock; {@code null}
     * (nothing proposed) if it does not.
     */
    CompletableFuture<byte[]> proposeIf(BooleanSupplier wanted, RaftNode raft, byte[] command) {
        synchronized (lock) {
            return wanted.getAsBoolean() ? raft.propose(command) : null;
        }
    }
}
