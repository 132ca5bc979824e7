package io.rrmq.raft.runtime;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.message.InstallSnapshot;
import java.io.IOException;
import java.util.List;

/**
 * Test-scope door to the runtime's package-private snapshot parts, so that the simulator runs the
 * very code {@link RaftRuntime} runs for recovery, chunk assembly and the snapshot schedule instead
 * of a copy of it.
 */
public final class RuntimeSnapshotParts {
    private RuntimeSnapshotParts() {
    }

    /** What a restarting node resumes from, as {@link RaftRuntime#start} computes it (see {@code Recovery}). */
    public record Recovered(SnapshotMeta snapshot, List<LogEntry> tail, boolean discardStoredLog) {
    }

    public static Recovered recover(RaftStorage.Stored stored, SnapshotStore snapshots) throws IOException {
        Recovery.Recovered r = Recovery.recover(stored, snapshots);
        return new Recovered(r.snapshot(), r.tail(), r.discardStoredLog());
    }

    /** {@link ChunkAssembler}: writes a leader's chunks into a store. */
    public static final class Assembler {
        private final ChunkAssembler assembler;

        public Assembler(SnapshotStore store) {
            this.assembler = new ChunkAssembler(store);
        }

        /** Stores a chunk; for the last one, the saved snapshot's metadata (else null). Throws if it failed. */
        public SnapshotMeta store(InstallSnapshot chunk) throws IOException {
            ChunkAssembler.Stored stored = assembler.store(chunk);
            if (!stored.ok()) {
                throw new IOException("storing " + chunk + " failed");
            }
            return stored.saved();
        }
    }

    /** {@link SnapshotPolicy}: when the loop takes a snapshot. */
    public static final class Policy {
        private final SnapshotPolicy policy;

        public Policy(long maxEntries, long maxBytes) {
            this.policy = new SnapshotPolicy(maxEntries, maxBytes);
        }

        public void applied(LogEntry entry) {
            policy.applied(entry);
        }

        public boolean due() {
            return policy.due();
        }

        public void started() {
            policy.started();
        }

        public void finished() {
            policy.finished();
        }

        public void restored() {
            policy.restored();
        }
    }
}
