package io.rrmq.raft.core;

import io.rrmq.raft.message.InstallSnapshot;
import java.util.ArrayList;
import java.util.List;

/** The snapshot work the core collects between two {@link RaftCore#takeReady()} calls. */
final class SnapshotOutbox {
    private long compactUpTo;
    private boolean discardLog;
    private long restoreIndex;
    private List<SnapshotChunkRequest> chunksToSend = new ArrayList<>();
    private List<InstallSnapshot> chunksToStore = new ArrayList<>();

    /** Storage may drop the log up to {@code index}. */
    void compact(long index) {
        compactUpTo = Math.max(compactUpTo, index);
    }

    /** Storage must drop the whole log (a snapshot replaced it); earlier compactions are moot. */
    void discardLog() {
        discardLog = true;
        compactUpTo = 0;
    }

    void restore(long index) {
        restoreIndex = index;
    }

    void send(SnapshotChunkRequest chunk) {
        chunksToSend.add(chunk);
    }

    void store(InstallSnapshot chunk) {
        chunksToStore.add(chunk);
    }

    /** Hands out what was collected and starts empty again. */
    Ready.Snapshots take() {
        if (compactUpTo == 0 && !discardLog && restoreIndex == 0 && chunksToSend.isEmpty()
                && chunksToStore.isEmpty()) {
            return Ready.Snapshots.NONE;
        }
        Ready.Snapshots out = new Ready.Snapshots(compactUpTo, discardLog, restoreIndex, chunksToSend,
                chunksToStore);
        compactUpTo = 0;
        discardLog = false;
        restoreIndex = 0;
        chunksToSend = new ArrayList<>();
        chunksToStore = new ArrayList<>();
        return out;
    }
}
