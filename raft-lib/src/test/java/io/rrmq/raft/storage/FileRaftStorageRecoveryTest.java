package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.TestEntries.concat;
import static io.rrmq.raft.storage.TestEntries.entries;
import static io.rrmq.raft.storage.TestEntries.entry;
import static io.rrmq.raft.storage.TestEntries.recordSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage.Stored;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link FileRaftStorage#load} makes of files a crash or a disk left damaged: a torn tail of
 * the last segment is dropped, anything else fails loudly.
 */
class FileRaftStorageRecoveryTest {
    @TempDir
    Path dir;

    private static final String FIRST_SEGMENT = SegmentFormat.fileName(1);

    /** Writes, syncs and closes {@code entries} (index 1 on) with the given segment size. */
    private void write(List<LogEntry> entries, long maxSegmentSize) throws IOException {
        try (FileRaftStorage storage = FileRaftStorage.open(dir, maxSegmentSize)) {
            storage.load();
            storage.saveHardState(new HardState(4, 1));
            storage.append(entries);
            storage.sync();
        }
    }

    private void write(List<LogEntry> entries) throws IOException {
        write(entries, FileRaftStorage.DEFAULT_MAX_SEGMENT_SIZE);
    }

    private Stored load(Path directory) throws IOException {
        try (FileRaftStorage storage = FileRaftStorage.open(directory)) {
            return storage.load();
        }
    }

    private static List<Path> segmentFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x10;
        Files.write(file, bytes);
    }

    @Test
    void tornTailIsDroppedAtEveryByteOffsetOfTheLastRecord() throws IOException {
        List<LogEntry> log = concat(entries(1, 4, 1), List.of(LogEntry.command(5, 1, new byte[40])));
        write(log);
        byte[] segment = Files.readAllBytes(dir.resolve(FIRST_SEGMENT));
        int lastRecord = segment.length - recordSize(log.get(4));
        LogEntry replacement = entry(5, 2);

        for (int cut = lastRecord; cut < segment.length; cut++) {
            Path crashed = dir.resolve("cut-at-" + cut);
            Files.createDirectories(crashed);
            Files.write(crashed.resolve(FIRST_SEGMENT), Arrays.copyOf(segment, cut));

            try (FileRaftStorage storage = FileRaftStorage.open(crashed)) {
                assertThat(storage.load().entries()).as("cut at byte %d", cut).isEqualTo(log.subList(0, 4));
                storage.append(List.of(replacement));
                storage.sync();
            }
            assertThat(load(crashed).entries()).as("reopened after the cut at byte %d", cut)
                    .isEqualTo(concat(log.subList(0, 4), List.of(replacement)));
        }
    }

    @Test
    void tornFirstRecordOfTheLastSegmentRemovesTheSegment() throws IOException {
        write(entries(1, 20, 1), 100);
        List<Path> segments = segmentFiles(dir);
        Path last = segments.get(segments.size() - 1);
        long lastFirst = SegmentFormat.firstIndexOf(last);
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(bytes, SegmentFormat.HEADER_SIZE + 3));

        assertThat(load(dir).entries()).isEqualTo(entries(1, lastFirst - 1, 1));
        assertThat(last).doesNotExist();
    }

    private static void xorByte(Path file, long offset, int mask) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) mask;
        Files.write(file, bytes);
    }

    /** Loading fails with a corruption report on the record at {@code offset}, and leaves the file as it was. */
    private void assertCorruptAt(Path segment, long offset, String problem) throws IOException {
        byte[] before = Files.readAllBytes(segment);
        assertThatThrownBy(() -> load(dir))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.file()).isEqualTo(segment);
                    assertThat(e.offset()).isEqualTo(offset);
                })
                .hasMessageContaining(segment.getFileName().toString()).hasMessageContaining(problem);
        assertThat(Files.readAllBytes(segment)).as("recovery must not touch a corrupt log").isEqualTo(before);
    }

    // A complete record at the end whose CRC fails was written whole, perhaps synced and acknowledged:
    // a flipped bit must not silently take it away (it could un-acknowledge a committed entry).
    @Test
    void flippedBitInTheLastCompleteRecordIsCorruption() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long lastRecord = Files.size(segment) - recordSize(entry(5, 1));

        flipByte(segment, Files.size(segment) - 1); // in the data

        assertCorruptAt(segment, lastRecord, "CRC mismatch in the complete last record");
    }

    @Test
    void damagedCrcFieldOfTheLastRecordIsCorruption() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long lastRecord = Files.size(segment) - recordSize(entry(5, 1));

        flipByte(segment, lastRecord + 5);

        assertCorruptAt(segment, lastRecord, "CRC mismatch in the complete last record");
    }

    @Test
    void impossibleLengthOfTheLastRecordIsCorruption() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long lastRecord = Files.size(segment) - recordSize(entry(5, 1));

        xorByte(segment, lastRecord, 0x40); // past the largest record

        assertCorruptAt(segment, lastRecord, "impossible record length");
    }

    @Test
    void lengthOfTheLastRecordDamagedToReachPastTheEndIsCorruption() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long lastRecord = Files.size(segment) - recordSize(entry(5, 1));

        xorByte(segment, lastRecord + 1, 0x01); // 64 KiB longer: looks cut short, but the bytes are all there

        assertCorruptAt(segment, lastRecord, "match the record's CRC: a damaged length");
    }

    // A torn write whose first sector reached the disk and whose later ones did not: the file's size
    // did, so the unwritten sectors read as zeros.
    @Test
    void lastRecordWhoseLaterSectorsNeverReachedTheDiskIsATornTail() throws IOException {
        byte[] data = new byte[1200];
        Arrays.fill(data, (byte) 0x5A);
        List<LogEntry> log = concat(entries(1, 4, 1), List.of(LogEntry.command(5, 1, data)));
        write(log);
        Path segment = dir.resolve(FIRST_SEGMENT);
        long end = Files.size(segment);
        long lastRecord = end - recordSize(log.get(4));
        long firstSectorAfterItsHeader = (lastRecord + 8) / 512 * 512 + 512;
        assertThat(firstSectorAfterItsHeader).isLessThan(end);

        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate((int) (end - firstSectorAfterItsHeader)), firstSectorAfterItsHeader);
        }

        assertThat(load(dir).entries()).isEqualTo(log.subList(0, 4));
        assertThat(Files.size(segment)).isEqualTo(lastRecord);
    }

    @Test
    void lastRecordWithOneZeroSectorInTheMiddleIsATornTail() throws IOException {
        byte[] data = new byte[1500];
        Arrays.fill(data, (byte) 0x5A);
        List<LogEntry> log = concat(entries(1, 4, 1), List.of(LogEntry.command(5, 1, data)));
        write(log);
        Path segment = dir.resolve(FIRST_SEGMENT);
        long end = Files.size(segment);
        long lastRecord = end - recordSize(log.get(4));
        long sector = (lastRecord + 8) / 512 * 512 + 512;
        assertThat(sector + 512).isLessThan(end);

        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(512), sector); // persisted out of order: a later sector did arrive
        }

        assertThat(load(dir).entries()).isEqualTo(log.subList(0, 4));
    }

    @Test
    void zeroFilledTailAfterTheLastRecordIsDropped() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long end = Files.size(segment);
        // What a crash can leave when the file's new size reached the disk but its data did not.
        Files.write(segment, new byte[4096], StandardOpenOption.APPEND);

        assertThat(load(dir).entries()).isEqualTo(entries(1, 5, 1));
        assertThat(Files.size(segment)).isEqualTo(end);
    }

    @Test
    void crcMismatchInAMiddleRecordIsCorruption() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long third = SegmentFormat.HEADER_SIZE + 2L * recordSize(entry(1, 1));
        byte[] before = Files.readAllBytes(segment);

        flipByte(segment, third + recordSize(entry(3, 1)) - 1);

        assertThatThrownBy(() -> load(dir))
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.file()).isEqualTo(segment);
                    assertThat(e.offset()).isEqualTo(third);
                })
                .hasMessageContaining(FIRST_SEGMENT).hasMessageContaining("CRC mismatch");
        byte[] after = Files.readAllBytes(segment);
        after[(int) (third + recordSize(entry(3, 1)) - 1)] ^= 0x10;
        assertThat(after).as("recovery must not touch a corrupt log").isEqualTo(before);
    }

    @Test
    void damagedLengthInAMiddleRecordIsCorruptionNotATornTail() throws IOException {
        write(entries(1, 5, 1));
        Path segment = dir.resolve(FIRST_SEGMENT);
        long second = SegmentFormat.HEADER_SIZE + recordSize(entry(1, 1));

        flipByte(segment, second); // the length's top byte: now it reaches past the end of the file

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("a valid record follows");
    }

    @Test
    void damageAtTheEndOfAnEarlierSegmentIsCorruption() throws IOException {
        write(entries(1, 20, 1), 100);
        Path first = segmentFiles(dir).get(0);
        Files.write(first, Arrays.copyOf(Files.readAllBytes(first), (int) Files.size(first) - 1));

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(first.getFileName().toString());
    }

    @Test
    void missingSegmentIsCorruption() throws IOException {
        write(entries(1, 20, 1), 100);
        List<Path> segments = segmentFiles(dir);
        Files.delete(segments.get(1));

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(segments.get(2).getFileName().toString())
                .hasMessageContaining("the one before it ends at");
    }

    @Test
    void indexesThatSkipInsideASegmentAreCorruption() throws IOException {
        Files.createDirectories(dir);
        try (SegmentWriter writer = SegmentWriter.create(dir.resolve(FIRST_SEGMENT), ByteBuffer.allocate(4096))) {
            writer.append(entry(1, 1));
            writer.append(entry(2, 1));
            writer.append(entry(4, 1));
        }

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("entry index 4 where 3 was expected");
    }

    @Test
    void segmentWhoseNameDisagreesWithItsFirstEntryIsCorruption() throws IOException {
        write(entries(1, 3, 1));
        Files.move(dir.resolve(FIRST_SEGMENT), dir.resolve(SegmentFormat.fileName(2)));

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("entry index 1 where 2 was expected");
    }

    @Test
    void zeroLengthLastSegmentIsRemoved() throws IOException {
        write(entries(1, 3, 1));
        Files.createFile(dir.resolve(SegmentFormat.fileName(4)));

        assertEmptyLastSegmentIsRemovedAndReplaced(SegmentFormat.fileName(4));
    }

    @Test
    void lastSegmentWithAPartialHeaderIsRemoved() throws IOException {
        write(entries(1, 3, 1));
        Files.write(dir.resolve(SegmentFormat.fileName(4)), new byte[] {0x52, 0x52, 0x4C});

        assertEmptyLastSegmentIsRemovedAndReplaced(SegmentFormat.fileName(4));
    }

    @Test
    void headerOnlyLastSegmentIsRemoved() throws IOException {
        write(entries(1, 3, 1));
        byte[] header = Arrays.copyOf(Files.readAllBytes(dir.resolve(FIRST_SEGMENT)), SegmentFormat.HEADER_SIZE);
        Files.write(dir.resolve(SegmentFormat.fileName(4)), header);

        assertEmptyLastSegmentIsRemovedAndReplaced(SegmentFormat.fileName(4));
    }

    @Test
    void zeroFilledLastSegmentIsRemoved() throws IOException {
        write(entries(1, 3, 1));
        Files.write(dir.resolve(SegmentFormat.fileName(4)), new byte[512]);

        assertEmptyLastSegmentIsRemovedAndReplaced(SegmentFormat.fileName(4));
    }

    private void assertEmptyLastSegmentIsRemovedAndReplaced(String name) throws IOException {
        try (FileRaftStorage storage = FileRaftStorage.open(dir)) {
            assertThat(storage.load().entries()).isEqualTo(entries(1, 3, 1));
            assertThat(dir.resolve(name)).doesNotExist();
            storage.append(entries(4, 5, 2));
            storage.sync();
        }
        assertThat(load(dir).entries()).isEqualTo(concat(entries(1, 3, 1), entries(4, 5, 2)));
    }

    @Test
    void lastSegmentWithAForeignHeaderIsCorruption() throws IOException {
        write(entries(1, 3, 1));
        Files.write(dir.resolve(SegmentFormat.fileName(4)), "not a segment at all".getBytes());

        assertThatThrownBy(() -> load(dir)).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("bad magic");
    }

    @Test
    void unknownFormatVersionIsRefused() throws IOException {
        write(entries(1, 3, 1));
        flipByte(dir.resolve(FIRST_SEGMENT), 7);

        assertThatThrownBy(() -> load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("format version 17 is not supported");
    }

    @Test
    void damagedHardStateFailsLoudly() throws IOException {
        write(entries(1, 3, 1));
        flipByte(dir.resolve("hardstate"), 12); // inside the term

        assertThatThrownBy(() -> load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("hardstate is damaged: CRC mismatch");
    }

    @Test
    void truncatedHardStateFailsLoudly() throws IOException {
        write(entries(1, 3, 1));
        Files.write(dir.resolve("hardstate"), new byte[0]);

        assertThatThrownBy(() -> load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("hardstate is damaged");
    }

    @Test
    void storageThatFailedToLoadRefusesWritesAndReleasesItsLockOnClose() throws IOException {
        write(entries(1, 5, 1));
        flipByte(dir.resolve(FIRST_SEGMENT), SegmentFormat.HEADER_SIZE + recordSize(entry(1, 1)) - 1);

        try (FileRaftStorage storage = FileRaftStorage.open(dir)) {
            assertThatThrownBy(storage::load).isInstanceOf(CorruptLogException.class);
            assertThatThrownBy(() -> storage.append(entries(6, 6, 1)))
                    .isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
        }
        FileRaftStorage.open(dir).close();
    }
}
