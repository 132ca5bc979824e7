package io.rrmq.raft.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryTest {
    private static final List<Integer> MEMBERS = List.of(0, 1, 2);

    private static RaftStorage.Stored log(long from, long to, long term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            entries.add(LogEntry.command(i, term, new byte[] {(byte) i}));
        }
        return new RaftStorage.Stored(new HardState(term, -1), entries);
    }

    private static MemorySnapshotStore snapshotsAt(long... indexes) throws IOException {
        MemorySnapshotStore store = new MemorySnapshotStore();
        for (long index : indexes) {
            store.save(new SnapshotMeta(index, 1, io.rrmq.raft.Configuration.ofVoters(MEMBERS)), out -> out.write(new byte[] {(byte) index}), 10);
        }
        return store;
    }

    @Test
    void startsFromTheNewestSnapshotAndTheEntriesAfterIt() throws IOException {
        Recovery.Recovered r = Recovery.recover(log(41, 60, 1), snapshotsAt(20, 50));
        assertThat(r.snapshot().lastIncludedIndex()).isEqualTo(50);
        assertThat(r.tail()).extracting(LogEntry::index).startsWith(51L).endsWith(60L);
    }

    /**
     * Regression (found by the simulator, seeds 4 and 48): a leader applies entries a majority made
     * durable before its own write of them is, snapshots them and crashes; its log ends before the
     * snapshot. Storage must drop that log, or the first entry after the snapshot leaves a gap there
     * and the storage thread stops the node.
     */
    @Test
    void aLogEndingBeforeTheSnapshotIsToBeDroppedFromStorage() throws IOException {
        Recovery.Recovered r = Recovery.recover(log(31, 47, 1), snapshotsAt(50));
        assertThat(r.snapshot().lastIncludedIndex()).isEqualTo(50);
        assertThat(r.tail()).isEmpty();
        assertThat(r.discardStoredLog()).isTrue();
        assertThat(Recovery.recover(log(41, 60, 1), snapshotsAt(50)).discardStoredLog()).isFalse();
    }

    /**
     * Regression (simulator seed 360, 3 nodes): a crash after installing a snapshot but before
     * discarding the conflicting log; without discarding it at start-up, entries appended after the
     * snapshot sat behind the conflict and were thrown away with it at the next restart, although
     * they had been acknowledged.
     */
    @Test
    void aLogConflictingWithTheSnapshotIsToBeDiscardedFromStorage() throws IOException {
        Recovery.Recovered r = Recovery.recover(log(31, 60, 2), snapshotsAt(50));
        assertThat(r.tail()).isEmpty();
        assertThat(r.discardStoredLog()).isTrue();
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToAnOlderOneWhenTheLogCoversTheGap() throws IOException {
        MemorySnapshotStore store = snapshotsAt(20, 50);
        store.corrupt(50);
        Recovery.Recovered r = Recovery.recover(log(11, 60, 1), store);
        assertThat(r.snapshot().lastIncludedIndex()).isEqualTo(20);
        assertThat(r.tail()).extracting(LogEntry::index).startsWith(21L).endsWith(60L);
    }

    @Test
    void aDamagedNewestSnapshotFailsLoudlyWhenTheLogDoesNotCoverTheGap() throws IOException {
        MemorySnapshotStore store = snapshotsAt(20, 50);
        store.corrupt(50);
        assertThatThrownBy(() -> Recovery.recover(log(41, 60, 1), store))
                .isInstanceOf(IOException.class).hasMessageContaining("entries");
    }

    @Test
    void aDamagedOnlySnapshotFailsLoudlyUnlessTheLogHoldsEverything() throws IOException {
        MemorySnapshotStore store = snapshotsAt(50);
        store.corrupt(50);
        assertThatThrownBy(() -> Recovery.recover(log(41, 60, 1), store)).isInstanceOf(IOException.class);
        assertThat(Recovery.recover(log(1, 60, 1), store).snapshot()).isNull();
    }

    @Test
    void aLogWithAGapAfterTheSnapshotIsRefused() throws IOException {
        assertThatThrownBy(() -> Recovery.recover(log(61, 70, 1), snapshotsAt(50)))
                .isInstanceOf(IOException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> Recovery.recover(log(5, 70, 1), snapshotsAt()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aLogConflictingWithAnInstalledSnapshotIsDiscarded() throws IOException {
        // A crash between saving an installed snapshot and discarding the old log (receiver rule 7).
        Recovery.Recovered r = Recovery.recover(log(1, 80, 2), snapshotsAt(50));
        assertThat(r.tail()).isEmpty();
    }
}
