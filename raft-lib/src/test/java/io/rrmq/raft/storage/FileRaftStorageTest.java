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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRaftStorageTest extends RaftStorageContractTest {
    @TempDir
    Path dir;

    @Override
    protected RaftStorage newStorage() throws IOException {
        return FileRaftStorage.open(dir);
    }

    @Override
    protected RaftStorage restart(RaftStorage storage) throws IOException {
        storage.close();
        return FileRaftStorage.open(dir);
    }

    /** The same contract when nearly every entry gets a segment of its own. */
    @Nested
    class WithTinySegments extends RaftStorageContractTest {
        @TempDir
        Path tinyDir;

        @Override
        protected RaftStorage newStorage() throws IOException {
            return FileRaftStorage.open(tinyDir, 64);
        }

        @Override
        protected RaftStorage restart(RaftStorage storage) throws IOException {
            storage.close();
            return FileRaftStorage.open(tinyDir, 64);
        }
    }

    private static List<Path> segmentFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static List<LogEntry> randomEntries(long from, long to, long term, long seed) {
        Random random = new Random(seed);
        List<LogEntry> entries = new ArrayList<>();
        for (long index = from; index <= to; index++) {
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            entries.add(random.nextInt(10) == 0 ? LogEntry.noop(index, term) : LogEntry.command(index, term, data));
        }
        return entries;
    }

    @Test
    void reopenedStorageReturnsTheIdenticalLog() throws IOException {
        storage.load();
        List<LogEntry> log = randomEntries(1, 500, 3, 42);
        storage.append(log.subList(0, 200));
        storage.append(log.subList(200, 500));
        storage.saveHardState(new HardState(3, 2));

        Stored reopened = syncAndRestart();

        assertThat(reopened.entries()).containsExactlyElementsOf(log);
        assertThat(reopened.hardState()).isEqualTo(new HardState(3, 2));
    }

    @Test
    void closeWritesBufferedEntriesToTheFile() throws IOException {
        storage.load();
        storage.append(entries(1, 3, 1));
        storage.close(); // no sync: not forced, but handed to the OS, so a reopen sees them

        storage = FileRaftStorage.open(dir);
        assertThat(storage.load().entries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void manySegmentsRoundTrip() throws IOException {
        storage = restartWithSegmentSize(300);
        List<LogEntry> log = randomEntries(1, 400, 1, 7);
        for (int from = 0; from < log.size(); from += 37) {
            storage.append(log.subList(from, Math.min(from + 37, log.size())));
        }
        storage.sync();

        List<Path> files = segmentFiles(dir);
        assertThat(files).hasSizeGreaterThan(100);
        for (Path file : files) {
            long firstIndex = SegmentFormat.firstIndexOf(file);
            LogEntry first = log.get((int) firstIndex - 1);
            // Over the limit only when one record alone is larger than it.
            assertThat(Files.size(file)).satisfiesAnyOf(
                    size -> assertThat(size).isLessThanOrEqualTo(300),
                    size -> assertThat(size).isEqualTo(SegmentFormat.HEADER_SIZE + TestEntries.recordSize(first)));
        }
        storage.close();
        storage = FileRaftStorage.open(dir, 300);
        assertThat(storage.load().entries()).containsExactlyElementsOf(log);
    }

    @Test
    void truncationInsideASegmentCutsItAndDeletesTheLaterOnes() throws IOException {
        storage = restartWithSegmentSize(200);
        storage.append(entries(1, 60, 1)); // about 5 entries per segment
        storage.sync();
        List<Path> before = segmentFiles(dir);
        Path holder = segmentHolding(before, 23);
        assertThat(SegmentFormat.firstIndexOf(holder)).isLessThan(23);

        storage.truncateSuffix(23);

        assertThat(segmentFiles(dir)).isEqualTo(before.subList(0, before.indexOf(holder) + 1));
        storage.append(entries(23, 70, 2));
        List<LogEntry> expected = concat(entries(1, 22, 1), entries(23, 70, 2));
        storage.close();
        storage = FileRaftStorage.open(dir, 200);
        assertThat(storage.load().entries()).isEqualTo(expected);
    }

    @Test
    void truncationAtTheFirstIndexOfASegmentDeletesThatSegment() throws IOException {
        storage = restartWithSegmentSize(200);
        storage.append(entries(1, 60, 1));
        List<Path> before = segmentFiles(dir);
        Path third = before.get(2);
        long thirdFirst = SegmentFormat.firstIndexOf(third);

        storage.truncateSuffix(thirdFirst);

        assertThat(segmentFiles(dir)).isEqualTo(before.subList(0, 2));
        storage.append(entries(thirdFirst, thirdFirst + 1, 2));
        assertThat(syncAndRestart().entries())
                .isEqualTo(concat(entries(1, thirdFirst - 1, 1), entries(thirdFirst, thirdFirst + 1, 2)));
        assertThat(segmentFiles(dir)).hasSize(3);
    }

    @Test
    void truncatingEverythingDeletesEverySegment() throws IOException {
        storage = restartWithSegmentSize(200);
        storage.append(entries(10, 60, 1));

        storage.truncateSuffix(10);

        assertThat(segmentFiles(dir)).isEmpty();
        storage.append(entries(500, 501, 2));
        assertThat(segmentFiles(dir)).extracting(f -> f.getFileName().toString())
                .containsExactly("log-00000000000000000500.seg");
        assertThat(syncAndRestart().entries()).isEqualTo(entries(500, 501, 2));
    }

    @Test
    void entryLargerThanASegmentGetsOneOfItsOwn() throws IOException {
        storage = restartWithSegmentSize(100);
        LogEntry big = LogEntry.command(2, 1, new byte[1000]);
        storage.append(List.of(entry(1, 1), big, entry(3, 1)));

        assertThat(syncAndRestart().entries()).containsExactly(entry(1, 1), big, entry(3, 1));
        assertThat(segmentFiles(dir)).hasSize(3);
    }

    @Test
    void secondOpenOfTheSameDirectoryFails() throws IOException {
        storage.load();

        assertThatThrownBy(() -> FileRaftStorage.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
        storage.close();
        try (FileRaftStorage again = FileRaftStorage.open(dir)) {
            assertThat(again.load()).isEqualTo(Stored.EMPTY);
        }
    }

    @Test
    void anotherProcessCannotOpenTheDirectory() throws Exception {
        storage.load();
        assertThat(LockProbe.runInNewJvm(dir)).isEqualTo(LockProbe.LOCKED);

        storage.close();
        assertThat(LockProbe.runInNewJvm(dir)).isEqualTo(LockProbe.OPENED);
    }

    @Test
    void missingDirectoryIsCreated() throws IOException {
        Path nested = dir.resolve("a/b/c");
        try (FileRaftStorage created = FileRaftStorage.open(nested)) {
            created.load();
            created.append(entries(1, 1, 1));
            created.sync();
        }
        assertThat(segmentFiles(nested)).hasSize(1);
    }

    @Test
    void leftoverHardStateTempFileIsIgnoredAndRemoved() throws IOException {
        storage.load();
        storage.saveHardState(new HardState(5, 1));
        storage.close();
        Files.write(dir.resolve("hardstate.tmp"), new byte[] {1, 2, 3});

        storage = FileRaftStorage.open(dir);
        assertThat(storage.load().hardState()).isEqualTo(new HardState(5, 1));
        assertThat(dir.resolve("hardstate.tmp")).doesNotExist();
    }

    @Test
    void unchangedHardStateIsNotWrittenAgain() throws IOException {
        storage.load();
        storage.saveHardState(new HardState(5, 1));
        Object fileBefore = fileKey(dir.resolve("hardstate"));

        storage.saveHardState(new HardState(5, 1));
        assertThat(fileKey(dir.resolve("hardstate"))).isEqualTo(fileBefore);

        storage.saveHardState(new HardState(5, 2)); // a rename brings a new file
        assertThat(fileKey(dir.resolve("hardstate"))).isNotEqualTo(fileBefore);
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Test
    void unrelatedFilesInTheDirectoryAreLeftAlone() throws IOException {
        Files.writeString(dir.resolve("README"), "notes");
        Files.writeString(dir.resolve("log-1.seg"), "not ours: the name has no 20 digits");
        storage.load();
        storage.append(entries(1, 2, 1));

        assertThat(syncAndRestart().entries()).isEqualTo(entries(1, 2, 1));
        assertThat(dir.resolve("README")).hasContent("notes");
    }

    /** Pins format version 1: changing it must come with a new version number and a migration. */
    @Test
    void onDiskFormatIsVersionOne() throws IOException {
        storage.load();
        storage.append(List.of(LogEntry.command(1, 2, new byte[] {(byte) 0xAB}), LogEntry.noop(2, 3)));
        storage.saveHardState(new HardState(3, 7));
        storage.sync();

        String segment = HexFormat.of().formatHex(Files.readAllBytes(dir.resolve("log-00000000000000000001.seg")));
        assertThat(segment).isEqualTo("52524c47" + "00000001"
                + "00000012" + crc32c("0000000000000001" + "0000000000000002" + "01" + "ab")
                + "0000000000000001" + "0000000000000002" + "01" + "ab"
                + "00000011" + crc32c("0000000000000002" + "0000000000000003" + "02")
                + "0000000000000002" + "0000000000000003" + "02");
        String hardState = HexFormat.of().formatHex(Files.readAllBytes(dir.resolve("hardstate")));
        String body = "52524853" + "00000001" + "0000000000000003" + "00000007";
        assertThat(hardState).isEqualTo(body + crc32c(body));
    }

    private static String crc32c(String hex) {
        CRC32C crc = new CRC32C();
        crc.update(HexFormat.of().parseHex(hex));
        return String.format("%08x", crc.getValue());
    }

    private FileRaftStorage restartWithSegmentSize(long maxSegmentSize) throws IOException {
        storage.close();
        FileRaftStorage reopened = FileRaftStorage.open(dir, maxSegmentSize);
        reopened.load();
        return reopened;
    }

    private static Path segmentHolding(List<Path> files, long index) {
        Path holder = null;
        for (Path file : files) {
            if (SegmentFormat.firstIndexOf(file) <= index) {
                holder = file;
            }
        }
        return holder;
    }
}
