package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.TestEntries.concat;
import static io.rrmq.raft.storage.TestEntries.entries;
import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.RaftStorage.Stored;
import org.junit.jupiter.api.Test;

class MemoryRaftStorageTest extends RaftStorageContractTest {

    @Override
    protected RaftStorage newStorage() {
        return new MemoryRaftStorage();
    }

    @Override
    protected RaftStorage restart(RaftStorage storage) {
        MemoryRaftStorage memory = (MemoryRaftStorage) storage;
        memory.close();
        return memory.crashCopy();
    }

    private MemoryRaftStorage memory() {
        return (MemoryRaftStorage) storage;
    }

    @Test
    void crashLosesEntriesAppendedAfterTheLastSync() {
        memory().load();
        memory().append(entries(1, 3, 1));
        memory().sync();
        memory().append(entries(4, 6, 1));

        MemoryRaftStorage crashed = memory().crashCopy();

        assertThat(crashed.load().entries()).isEqualTo(entries(1, 3, 1));
        assertThat(memory().currentEntries()).isEqualTo(entries(1, 6, 1));
    }

    @Test
    void crashKeepsTheHardStateOfTheLastSync() {
        memory().load();
        memory().saveHardState(new HardState(2, 1));
        memory().sync();
        memory().saveHardState(new HardState(3, 3));

        assertThat(memory().crashCopy().load().hardState()).isEqualTo(new HardState(2, 1));
        assertThat(memory().currentHardState()).isEqualTo(new HardState(3, 3));
    }

    @Test
    void crashBeforeAnySyncLeavesTheInitialState() {
        memory().load();
        memory().saveHardState(new HardState(2, 1));
        memory().append(entries(1, 3, 1));

        assertThat(memory().crashCopy().load()).isEqualTo(Stored.EMPTY);
    }

    @Test
    void crashBringsBackEntriesTruncatedAfterTheLastSync() {
        memory().load();
        memory().append(entries(1, 6, 1));
        memory().sync();
        memory().truncateSuffix(5);
        memory().truncateSuffix(3);
        memory().append(entries(3, 4, 2));

        assertThat(memory().crashCopy().load().entries()).isEqualTo(entries(1, 6, 1));

        memory().sync();
        assertThat(memory().crashCopy().load().entries())
                .isEqualTo(concat(entries(1, 2, 1), entries(3, 4, 2)));
    }

    @Test
    void crashCopyIsIndependentOfTheOriginal() {
        memory().load();
        memory().append(entries(1, 2, 1));
        memory().sync();
        MemoryRaftStorage crashed = memory().crashCopy();
        crashed.load();
        crashed.append(entries(3, 3, 1));
        crashed.sync();

        memory().append(entries(3, 3, 2));
        memory().sync();

        assertThat(crashed.crashCopy().load().entries()).isEqualTo(entries(1, 3, 1));
        assertThat(memory().crashCopy().load().entries())
                .isEqualTo(concat(entries(1, 2, 1), entries(3, 3, 2)));
    }
}
