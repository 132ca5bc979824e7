package io.rrmq.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage.Stored;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.raft.fuzz.Mutations.Edit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * {@link FileRaftStorage#load} on a directory whose files a disk, a crash or an attacker damaged.
 * The documented outcomes are the only ones: the log, or {@link IOException}
 * ({@link CorruptLogException} for the log). When it loads, the log is a prefix of what was
 * written (a damaged record is never taken for another entry, a torn tail is dropped but nothing
 * before it), and the repair is durable: a second load finds the same log, which then takes
 * appends.
 *
 * <p>Two kinds of damage: raw edits of a segment's bytes ({@link Mutations}), which CRC32C catches
 * unless they only cut the tail; and edits of one record's payload with its length and CRC32C
 * rewritten to match, which reach the entry decoder. jqwik prints the seed of a failure.
 */
class FileRaftStorageFuzzTest {
    private static final long MAX_SEGMENT_SIZE = 1200;
    private static final HardState HARD_STATE = new HardState(3, 1);
    /** Data sizes that straddle 512-byte sectors, and both entry types. */
    private static final List<LogEntry> ENTRIES = entries(new int[] {0, 7, 130, 600, 3, -1, 520, 40, 1, 90, 0, 700, 12, 5});
    /** Every file of a directory holding {@link #ENTRIES} and {@link #HARD_STATE}, by name. */
    private static final Map<String, byte[]> TEMPLATE = writeTemplate();
    private static final List<String> SEGMENTS = TEMPLATE.keySet().stream().filter(n -> n.endsWith(".seg")).toList();
    /** Generous: load reads with a 1 MiB window per segment; a trusted 1 GiB length would show. */
    private static final long LOAD_BUDGET = 32L << 20;

    private static final Logger STORAGE_LOG = Logger.getLogger(FileRaftStorage.class.getName());
    private static Level storageLogLevel;

    private Path directory;

    /** The storage rightly warns of every torn tail it drops; a hundred of them would bury the build's output. */
    @BeforeContainer
    static void quietStorageLog() {
        storageLogLevel = STORAGE_LOG.getLevel();
        STORAGE_LOG.setLevel(Level.SEVERE);
    }

    @AfterContainer
    static void restoreStorageLog() {
        STORAGE_LOG.setLevel(storageLogLevel);
    }

    @BeforeTry
    void createDirectory() throws IOException {
        directory = Files.createTempDirectory("rrmq-storage-fuzz");
    }

    @AfterTry
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Property(tries = 150)
    void aDamagedSegmentLoadsAPrefixOfTheLogOrIsRefused(@ForAll("segments") int segment,
                                                        @ForAll("edits") List<Edit> edits) throws IOException {
        String name = SEGMENTS.get(segment);
        byte[] damaged = Mutations.apply(TEMPLATE.get(name), edits, TEMPLATE.get(SEGMENTS.get(0)));
        lay(name, damaged);

        Stored stored = loadOrRefuse();

        if (stored != null) {
            assertThat(stored.hardState()).isEqualTo(HARD_STATE);
            assertThat(stored.entries()).isEqualTo(ENTRIES.subList(0, stored.entries().size()));
            assertTheRepairIsDurableAndTheLogTakesAppends(stored.entries());
        }
    }

    @Property(tries = 150)
    void aRecordWithAHostilePayloadButAValidCrcLoadsOrIsRefused(@ForAll("segments") int segment,
                                                                @ForAll("positions") int record,
                                                                @ForAll("edits") List<Edit> edits) throws IOException {
        String name = SEGMENTS.get(segment);
        byte[] bytes = TEMPLATE.get(name);
        List<int[]> records = records(bytes);
        int[] target = records.get(Math.floorMod(record, records.size()));
        byte[] payload = Arrays.copyOfRange(bytes, target[0] + SegmentFormat.RECORD_HEADER_SIZE, target[1]);
        byte[] hostile = Mutations.apply(payload, edits, payload);
        lay(name, concat(Arrays.copyOf(bytes, target[0]), framed(hostile),
                Arrays.copyOfRange(bytes, target[1], bytes.length)));

        Stored stored = loadOrRefuse();

        if (stored != null) {
            assertThat(stored.hardState()).isEqualTo(HARD_STATE);
            List<LogEntry> loaded = stored.entries();
            assertThat(loaded.size()).isLessThanOrEqualTo(ENTRIES.size());
            for (int i = 0; i < loaded.size(); i++) {
                // Only the hostile record's entry may differ, and not in its index.
                assertThat(loaded.get(i).index()).isEqualTo(ENTRIES.get(i).index());
            }
            assertTheRepairIsDurableAndTheLogTakesAppends(loaded);
        }
    }

    @Property(tries = 100)
    void aDamagedHardStateFileLoadsUnchangedOrIsRefused(@ForAll("edits") List<Edit> edits,
                                                        @ForAll boolean fixCrc) throws IOException {
        byte[] damaged = Mutations.apply(TEMPLATE.get(HardStateFile.NAME), edits, TEMPLATE.get(SEGMENTS.get(0)));
        if (fixCrc && damaged.length >= 4) {
            ByteBuffer.wrap(damaged).putInt(damaged.length - 4, crc32c(damaged, 0, damaged.length - 4));
        }
        lay(HardStateFile.NAME, damaged);

        Stored stored = loadOrRefuse();

        if (stored != null) {
            if (!fixCrc) {
                assertThat(stored.hardState()).isEqualTo(HARD_STATE);
            }
            assertThat(stored.hardState().currentTerm()).isNotNegative();
            assertThat(stored.entries()).isEqualTo(ENTRIES);
        }
    }

    /** The template's files into {@link #directory}, with {@code name} replaced by {@code damaged}. */
    private void lay(String name, byte[] damaged) throws IOException {
        for (Map.Entry<String, byte[]> file : TEMPLATE.entrySet()) {
            Files.write(directory.resolve(file.getKey()), file.getKey().equals(name) ? damaged : file.getValue());
        }
    }

    /** The stored state, or null if load refused the directory with the documented IOException. */
    private Stored loadOrRefuse() throws IOException {
        try (FileRaftStorage storage = FileRaftStorage.open(directory, MAX_SEGMENT_SIZE)) {
            return Allocations.measure(storage::load)
                    .requireAllocatedAtMost(LOAD_BUDGET)
                    .valueOrDocumentedRejection(IOException.class);
        }
    }

    private void assertTheRepairIsDurableAndTheLogTakesAppends(List<LogEntry> loaded) throws IOException {
        LogEntry next = loaded.isEmpty() ? LogEntry.command(1, 1, new byte[] {42})
                : LogEntry.command(loaded.get(loaded.size() - 1).index() + 1, 9, new byte[] {42});
        try (FileRaftStorage storage = FileRaftStorage.open(directory, MAX_SEGMENT_SIZE)) {
            assertThat(storage.load().entries()).isEqualTo(loaded);
            storage.append(List.of(next));
            storage.sync();
        }
        List<LogEntry> expected = new ArrayList<>(loaded);
        expected.add(next);
        try (FileRaftStorage storage = FileRaftStorage.open(directory, MAX_SEGMENT_SIZE)) {
            assertThat(storage.load().entries()).isEqualTo(expected);
        }
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<Integer> segments() {
        // Mostly the last segment, the only one where damage can pass for a torn write.
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(SEGMENTS.size() - 1)),
                Tuple.of(1, Arbitraries.integers().between(0, SEGMENTS.size() - 1)));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().greaterOrEqual(0);
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return Mutations.edits().list().ofMinSize(1).ofMaxSize(3);
    }

    // ---- the template log ----

    /** Entry i+1 has {@code sizes[i]} bytes of data; -1 makes it a no-op. Terms rise every few entries. */
    private static List<LogEntry> entries(int[] sizes) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            long index = i + 1;
            long term = 1 + i / 4;
            if (sizes[i] < 0) {
                entries.add(LogEntry.noop(index, term));
            } else {
                byte[] data = new byte[sizes[i]];
                byte[] text = ("entry " + index + " ").getBytes(StandardCharsets.US_ASCII);
                for (int b = 0; b < data.length; b++) {
                    data[b] = text[b % text.length];
                }
                entries.add(LogEntry.command(index, term, data));
            }
        }
        return List.copyOf(entries);
    }

    private static Map<String, byte[]> writeTemplate() {
        try {
            Path dir = Files.createTempDirectory("rrmq-storage-fuzz-template");
            try (FileRaftStorage storage = FileRaftStorage.open(dir, MAX_SEGMENT_SIZE)) {
                storage.load();
                storage.saveHardState(HARD_STATE);
                storage.append(ENTRIES);
                storage.sync();
            }
            Map<String, byte[]> files = new TreeMap<>();
            try (Stream<Path> listing = Files.list(dir)) {
                for (Path file : listing.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".seg") || name.equals(HardStateFile.NAME)) {
                        files.put(name, Files.readAllBytes(file));
                    }
                    Files.delete(file);
                }
            }
            Files.delete(dir);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {start, end} of each record of a valid segment. */
    private static List<int[]> records(byte[] segment) {
        List<int[]> records = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(segment);
        int position = SegmentFormat.HEADER_SIZE;
        while (position < segment.length) {
            int end = position + SegmentFormat.RECORD_HEADER_SIZE + buf.getInt(position);
            records.add(new int[] {position, end});
            position = end;
        }
        return records;
    }

    /** A record around {@code payload} with a matching length and CRC32C. */
    private static byte[] framed(byte[] payload) {
        return ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_SIZE + payload.length)
                .putInt(payload.length).putInt(crc32c(payload, 0, payload.length)).put(payload).array();
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
