package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.TestEntries.entries;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@link FileRaftStorage} forces its directory: each fsync is recorded with the segment files
 * present at that moment, which is what a crash right after it could leave (and no less).
 */
class FileRaftStorageDirectorySyncTest {
    private static final long SEGMENT_SIZE = 256;

    @TempDir
    Path dir;

    /** First indexes of the segments present at each directory fsync, in order. */
    private final List<List<Long>> durableStates = new ArrayList<>();

    private void recordAndForce(Path directory) throws IOException {
        assertThat(directory).isEqualTo(dir);
        durableStates.add(segmentsPresent());
        StorageDirectory.fsync(directory);
    }

    private List<Long> segmentsPresent() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(SegmentFormat::firstIndexOf).filter(index -> index >= 0).sorted().toList();
        }
    }

    private FileRaftStorage loaded() throws IOException {
        FileRaftStorage storage = FileRaftStorage.open(dir, SEGMENT_SIZE, this::recordAndForce);
        storage.load();
        return storage;
    }

    @Test
    void compactionMakesEachDeletionDurableBeforeTheNextOldestFirst() throws IOException {
        try (FileRaftStorage storage = loaded()) {
            storage.append(entries(1, 40, 1));
            storage.sync();
            List<Long> before = segmentsPresent();
            durableStates.clear();

            storage.compactPrefix(20);

            int deleted = before.size() - storage.segmentCount();
            assertThat(deleted).isGreaterThan(1);
            List<List<Long>> expected = new ArrayList<>();
            for (int i = 1; i <= deleted; i++) {
                expected.add(before.subList(i, before.size())); // a contiguous suffix each time
            }
            assertThat(durableStates).as("directory states made durable by compactPrefix").isEqualTo(expected);
        }
    }

    @Test
    void truncationMakesEachDeletionDurableBeforeTheNextNewestFirst() throws IOException {
        try (FileRaftStorage storage = loaded()) {
            storage.append(entries(1, 40, 1));
            storage.sync();
            List<Long> before = segmentsPresent();
            durableStates.clear();

            storage.truncateSuffix(5);

            int deleted = before.size() - storage.segmentCount();
            assertThat(deleted).isGreaterThan(1);
            List<List<Long>> expected = new ArrayList<>();
            for (int i = 1; i <= deleted; i++) {
                expected.add(before.subList(0, before.size() - i)); // a prefix each time
            }
            assertThat(durableStates).as("directory states made durable by truncateSuffix, before it returned")
                    .isEqualTo(expected);
        }
    }

    @Test
    void truncatingAtTheFirstIndexOfASegmentDeletesItDurably() throws IOException {
        try (FileRaftStorage storage = loaded()) {
            storage.append(entries(1, 40, 1));
            storage.sync();
            List<Long> before = segmentsPresent();
            durableStates.clear();

            storage.truncateSuffix(before.get(before.size() - 1));

            assertThat(durableStates).containsExactly(before.subList(0, before.size() - 1));
        }
    }

    @Test
    void syncMakesEveryNewSegmentDurableInTheDirectory() throws IOException {
        try (FileRaftStorage storage = loaded()) {
            storage.append(entries(1, 1, 1)); // the first segment
            storage.sync();
            assertThat(durableStates).containsExactly(List.of(1L));

            durableStates.clear();
            storage.append(entries(2, 2, 1)); // fits in the same segment
            storage.sync();
            assertThat(durableStates).as("no new file, no directory fsync").isEmpty();

            storage.append(entries(3, 40, 1)); // rolls over, several times
            assertThat(durableStates).as("nothing forced before sync").isEmpty();
            storage.sync();
            assertThat(durableStates).containsExactly(segmentsPresent());
            assertThat(storage.segmentCount()).isGreaterThan(2);
        }
    }

    @Test
    void aSegmentStartedAfterEmptyingTheLogIsDurableBySync() throws IOException {
        try (FileRaftStorage storage = loaded()) {
            storage.append(entries(1, 10, 1));
            storage.sync();
            storage.truncateSuffix(0);
            durableStates.clear();

            storage.append(entries(501, 502, 2));
            storage.sync();

            assertThat(durableStates).containsExactly(List.of(501L));
        }
    }
}
