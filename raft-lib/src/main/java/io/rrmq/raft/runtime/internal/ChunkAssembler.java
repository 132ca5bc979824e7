package io.rrmq.raft.runtime.internal;

import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.message.InstallSnapshot;
import java.io.IOException;

/**
 * Writes the chunks of a snapshot a leader sends (Figure 13, receiver rules 2, 3 and 5) into the
 * {@link SnapshotStore}, on the snapshot thread, in the order the core hands them out.
 */
public final class ChunkAssembler {
    private static final System.Logger LOG = System.getLogger(ChunkAssembler.class.getName());

    private final SnapshotStore store;
    private SnapshotStore.Incoming incoming;
    private long index;
    private long term;

    public ChunkAssembler(SnapshotStore store) {
        this.store = store;
    }

    /**
     * Stores {@code chunk}; for the last one, checks and saves the whole snapshot durably.
     *
     * @return whether it was stored (false: the partial snapshot is discarded, the transfer restarts),
     *         and for the last chunk what the saved snapshot holds
     */
    public Stored store(InstallSnapshot chunk) {
        try {
            if (chunk.offset() == 0) {
                abort();
                incoming = store.receive(chunk.lastIncludedIndex(), chunk.lastIncludedTerm()); // rule 2
                index = chunk.lastIncludedIndex();
                term = chunk.lastIncludedTerm();
            } else if (incoming == null || index != chunk.lastIncludedIndex() || term != chunk.lastIncludedTerm()) {
                throw new IOException("chunk of a transfer that was not started: " + chunk);
            }
            incoming.write(chunk.offset(), chunk.data()); // rule 3
            if (chunk.done()) {
                SnapshotStore.Incoming finished = incoming;
                incoming = null;
                return new Stored(true, finished.complete()); // rule 5
            }
            return new Stored(true, null);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "storing snapshot chunk " + chunk + " failed; the transfer restarts", e);
            abort();
            return new Stored(false, null);
        }
    }

    /** The outcome of storing one chunk; {@code saved} is the snapshot the last chunk completed. */
    public record Stored(boolean ok, io.rrmq.raft.SnapshotMeta saved) {
    }

    public void abort() {
        if (incoming != null) {
            incoming.abort();
            incoming = null;
        }
    }
}
