package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.TestEntries.concat;
import static io.rrmq.raft.storage.TestEntries.entries;
import static io.rrmq.raft.storage.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.RaftStorage.Stored;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RaftStorage} must do, run against each implementation. "Restart" means what
 * survives for the implementation: a reopen of the directory, or a crash copy of memory, always after
 * a {@link RaftStorage#sync()}.
 */
abstract class RaftStorageContractTest {

    /** A new storage on an empty store, not loaded yet. */
    protected abstract RaftStorage newStorage() throws IOException;

    /** Ends {@code storage} (after the test synced it) and returns, unloaded, what a restart finds. */
    protected abstract RaftStorage restart(RaftStorage storage) throws IOException;

    protected RaftStorage storage;

    @BeforeEach
    void openStorage() throws IOException {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() throws IOException {
        storage.close();
    }

    /** Syncs, restarts and loads. */
    protected Stored syncAndRestart() throws IOException {
        storage.sync();
        storage = restart(storage);
        return storage.load();
    }

    @Test
    void emptyStoreLoadsEmpty() throws IOException {
        assertThat(storage.load()).isEqualTo(Stored.EMPTY);
        assertThat(syncAndRestart()).isEqualTo(Stored.EMPTY);
    }

    @Test
    void appendedEntriesSurviveSyncAndRestart() throws IOException {
        storage.load();
        List<LogEntry> log = List.of(entry(1, 1), LogEntry.noop(2, 2), LogEntry.command(3, 2, new byte[0]),
                LogEntry.command(4, 3, new byte[] {0, -1, 127, -128, 42}));
        storage.append(log.subList(0, 1));
        storage.append(log.subList(1, 4));

        assertThat(syncAndRestart()).isEqualTo(new Stored(HardState.INITIAL, log));
    }

    @Test
    void hardStateSurvivesSyncAndRestart() throws IOException {
        storage.load();
        storage.saveHardState(new HardState(3, 2));
        storage.saveHardState(new HardState(4, HardState.NO_VOTE));
        storage.saveHardState(new HardState(4, 1));

        assertThat(syncAndRestart().hardState()).isEqualTo(new HardState(4, 1));
    }

    @Test
    void truncatedSuffixIsReplacedByLaterAppends() throws IOException {
        storage.load();
        storage.append(entries(1, 10, 1));
        storage.sync();

        storage.truncateSuffix(6);
        storage.append(entries(6, 8, 2));

        assertThat(syncAndRestart().entries()).isEqualTo(concat(entries(1, 5, 1), entries(6, 8, 2)));
    }

    @Test
    void entriesTruncatedBeforeAnySyncAreReplacedByLaterAppends() throws IOException {
        storage.load();
        storage.append(entries(1, 10, 1));

        storage.truncateSuffix(4);
        storage.append(entries(4, 5, 2));

        assertThat(syncAndRestart().entries()).isEqualTo(concat(entries(1, 3, 1), entries(4, 5, 2)));
    }

    @Test
    void truncatingPastTheLastIndexDoesNothing() throws IOException {
        storage.load();
        storage.truncateSuffix(1);
        storage.append(entries(1, 5, 1));

        storage.truncateSuffix(6);
        storage.truncateSuffix(100);

        assertThat(syncAndRestart().entries()).isEqualTo(entries(1, 5, 1));
    }

    @Test
    void truncatingAtOrBelowTheFirstIndexEmptiesTheLog() throws IOException {
        storage.load();
        storage.append(entries(5, 9, 1));
        storage.truncateSuffix(5);
        assertThat(syncAndRestart().entries()).isEmpty();

        storage.append(entries(5, 9, 1));
        storage.truncateSuffix(2);
        assertThat(syncAndRestart().entries()).isEmpty();
    }

    @Test
    void emptyLogAcceptsAnyFirstIndex() throws IOException {
        storage.load();
        storage.append(entries(100, 102, 7));
        assertThat(syncAndRestart().entries()).isEqualTo(entries(100, 102, 7));

        storage.truncateSuffix(100);
        storage.append(entries(3, 4, 8));
        assertThat(syncAndRestart().entries()).isEqualTo(entries(3, 4, 8));
    }

    @Test
    void appendLeavingAGapIsRejected() throws IOException {
        storage.load();
        storage.append(entries(1, 3, 1));

        assertThatThrownBy(() -> storage.append(entries(5, 6, 1))).isInstanceOf(IllegalStateException.class);
        assertThat(syncAndRestart().entries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void appendOverlappingTheLogIsRejected() throws IOException {
        storage.load();
        storage.append(entries(1, 3, 1));

        assertThatThrownBy(() -> storage.append(entries(3, 4, 2))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.append(entries(1, 1, 2))).isInstanceOf(IllegalStateException.class);
        assertThat(syncAndRestart().entries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void batchWithAGapInsideIsRejectedWhole() throws IOException {
        storage.load();
        storage.append(entries(1, 2, 1));

        assertThatThrownBy(() -> storage.append(List.of(entry(3, 1), entry(4, 1), entry(6, 1))))
                .isInstanceOf(IllegalStateException.class);
        storage.append(entries(3, 3, 1));
        assertThat(syncAndRestart().entries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void emptyBatchAndTruncatingAnEmptyLogDoNothing() throws IOException {
        storage.load();
        storage.append(List.of());
        storage.truncateSuffix(1);

        assertThat(syncAndRestart()).isEqualTo(Stored.EMPTY);
    }

    @Test
    void writesBeforeLoadAreRejected() {
        assertThatThrownBy(() -> storage.append(entries(1, 1, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.saveHardState(new HardState(1, 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.truncateSuffix(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.sync()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void loadIsCalledOnce() throws IOException {
        storage.load();
        assertThatThrownBy(() -> storage.load()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeTwiceIsHarmless() throws IOException {
        storage.load();
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.sync()).isInstanceOf(IllegalStateException.class);
    }
}
