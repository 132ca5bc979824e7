package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.TestEntries.entries;
import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage.Stored;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRaftStorageCompactionTest {
    @TempDir
    Path dir;

    private FileRaftStorage loaded(long segmentSize) throws IOException {
        FileRaftStorage storage = FileRaftStorage.open(dir, segmentSize);
        storage.load();
        return storage;
    }

    @Test
    void compactionDeletesOnlySegmentsWhollyCovered() throws IOException {
        try (FileRaftStorage storage = loaded(256)) {
            storage.append(entries(1, 40, 1));
            storage.sync();
            int before = storage.segmentCount();
            assertThat(before).isGreaterThan(3);
            storage.compactPrefix(20);
            storage.sync();
            assertThat(storage.segmentCount()).isLessThan(before).isGreaterThan(1);
        }
        try (FileRaftStorage storage = FileRaftStorage.open(dir, 256)) {
            Stored stored = storage.load();
            long first = stored.entries().get(0).index();
            assertThat(first).isBetween(2L, 21L); // segment granularity: whatever 20 shares a file with stays
            assertThat(stored.entries()).extracting(LogEntry::index).endsWith(40L);
            assertThat(stored.entries()).hasSize((int) (40 - first + 1));
        }
    }

    @Test
    void theLastSegmentIsNeverDeletedAndAppendsContinueAfterCompaction() throws IOException {
        try (FileRaftStorage storage = loaded(256)) {
            storage.append(entries(1, 30, 1));
            storage.compactPrefix(1_000);
            assertThat(storage.segmentCount()).isEqualTo(1);
            storage.append(entries(31, 35, 2));
            storage.sync();
        }
        try (FileRaftStorage storage = FileRaftStorage.open(dir, 256)) {
            Stored stored = storage.load();
            assertThat(stored.entries()).extracting(LogEntry::index).endsWith(35L);
            storage.truncateSuffix(33);
            storage.append(entries(33, 33, 3));
            storage.sync();
        }
    }

    @Test
    void anEmptiedLogAcceptsEntriesAtAnyIndexAfterASnapshot() throws IOException {
        try (FileRaftStorage storage = loaded(256)) {
            storage.append(entries(1, 10, 1));
            storage.truncateSuffix(0); // Figure 13 receiver rule 7: discard the entire log
            storage.append(entries(501, 505, 4));
            storage.sync();
        }
        try (FileRaftStorage storage = FileRaftStorage.open(dir, 256)) {
            assertThat(storage.load().entries()).extracting(LogEntry::index).containsExactly(501L, 502L, 503L, 504L, 505L);
        }
    }

    @Test
    void reportsLowSpaceBelowTheReserveAndRecoversWhenSpaceReturns() throws IOException {
        // No small tmpfs can be mounted here without root, so free space comes from an injected probe.
        AtomicLong free = new AtomicLong(1L << 30);
        try (FileRaftStorage storage = FileRaftStorage.open(dir, 1 << 20, 64L << 20, free::get)) {
            storage.load();
            assertThat(storage.lowOnSpace()).isNull();
            free.set(10L << 20);
            assertThat(storage.lowOnSpace()).startsWith("disk-full");
            free.set(100L << 20);
            assertThat(storage.lowOnSpace()).isNull();
        }
    }
}
