package io.rrmq.raft.testkit;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.runtime.internal.ChunkAssembler;
import io.rrmq.raft.runtime.internal.Recovery;
import io.rrmq.raft.runtime.internal.SnapshotExpansion;
import io.rrmq.raft.message.InstallSnapshot;
import java.io.IOException;
import java.util.List;

/**
 * The runtime's snapshot parts ({@link Recovery}, {@link ChunkAssembler}, in raft-lib's internal
 * package), so that the simulator runs the very code RaftRuntime runs for
 * recovery, chunk assembly and the snapshot schedule instead of a copy of it.
 */
final class RuntimeSnapshotParts {
    /** {@link SnapshotExpansion#RETAIN}. */
    static final int RETAIN = SnapshotExpansion.RETAIN;

    private RuntimeSnapshotParts() {
    }

    /** {@link SnapshotExpansion#beforeChunk}: a snapshot stored by reference is saved whole before it is sent. */
    static boolean beforeChunk(long index, long offset, SnapshotStore snapshots, StateMachine machine)
            throws IOException {
        return SnapshotExpansion.beforeChunk(index, offset, snapshots, machine);
    }

    /** What a restarting node resumes from, as RaftRuntime.start computes it (see {@code Recovery}). */
    record Recovered(SnapshotMeta snapshot, List<LogEntry> tail, boolean discardStoredLog) {
    }

    static Recovered recover(RaftStorage.Stored stored, SnapshotStore snapshots) throws IOException {
        Recovery.Recovered r = Recovery.recover(stored, snapshots);
        return new Recovered(r.snapshot(), r.tail(), r.discardStoredLog());
    }

    /** {@link ChunkAssembler}: writes a leader's chunks into a store. */
    static final class Assembler {
        private final ChunkAssembler assembler;

        Assembler(SnapshotStore store) {
            this.assembler = new ChunkAssembler(store);
        }

        /** Stores a chunk; for the last one, the saved snapshot's metadata (else null). Throws if it failed. */
        SnapshotMeta store(InstallSnapshot chunk) throws IOException {
            ChunkAssembler.Stored stored = assembler.store(chunk);
            if (!stored.ok()) {
                throw new IOException("storing " + chunk + " failed");
            }
            return stored.saved();
        }
    }
}
