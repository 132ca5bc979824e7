package io.rrmq.raft.runtime.internal;

import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.StateMachine;
import java.io.IOException;
import java.io.InputStream;

/**
 * Makes a snapshot whole before a leader sends its first chunk ({@link StateMachine#expandSnapshot}:
 * a snapshot stored as a reference to the machine's checkpoint is saved again with the whole state,
 * under the same index). On the snapshot thread, which also reads every chunk, so no chunk of the
 * reference is ever read for sending: a transfer starts at offset 0, which comes here first.
 */
public final class SnapshotExpansion {
    /** How many snapshots the runtime keeps: the newest, and one to fall back on if it is damaged. */
    public static final int RETAIN = 2;
    private static final System.Logger LOG = System.getLogger(SnapshotExpansion.class.getName());

    private SnapshotExpansion() {
    }

    /**
     * Before the chunk at {@code offset} of snapshot {@code index} is read: at offset 0, saves the
     * snapshot whole if the machine says it is a reference; otherwise does nothing.
     *
     * @return whether the snapshot was saved again
     * @throws IOException the snapshot or its checkpoint cannot be read, or the whole one saved
     */
    public static boolean beforeChunk(long index, long offset, SnapshotStore snapshots, StateMachine machine)
            throws IOException {
        if (offset != 0) {
            return false;
        }
        SnapshotWriter whole;
        try (InputStream state = snapshots.openState(index)) {
            whole = machine.expandSnapshot(index, state);
        }
        if (whole == null) {
            return false;
        }
        SnapshotMeta meta = null;
        for (SnapshotMeta present : snapshots.list()) {
            if (present.lastIncludedIndex() == index) {
                meta = present;
            }
        }
        if (meta == null) {
            throw new IOException("snapshot " + index + " is gone");
        }
        long started = System.nanoTime();
        snapshots.save(meta, whole, RETAIN);
        LOG.log(System.Logger.Level.INFO, () -> "snapshot " + index + " made whole for sending, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        return true;
    }
}
