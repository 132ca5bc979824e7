package io.rrmq.raft.storage;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * {@link RaftStorage} in a directory of files: the log in append-only segment files, the hard state
 * in a small file replaced atomically.
 *
 * <p><b>On disk</b> (format version 1, integers big-endian; details in {@code SegmentFormat} and
 * {@code HardStateFile}):
 * <pre>
 * LOCK                          held with an OS file lock while open; never deleted
 * hardstate                     magic "RRHS" | version u32 | currentTerm u64 | votedFor i32 | CRC32C u32
 * log-&lt;first index, 20 digits&gt;.seg
 *                               magic "RRLG" | version u32, then records:
 *                               length u32 | CRC32C u32 | index u64 | term u64 | type u8 | data
 *                               (length and CRC cover index..data)
 * </pre>
 *
 * <p><b>What is durable when.</b>
 * <ul>
 *   <li>{@link #append}: nothing yet. Entries are encoded into a memory buffer and written to the
 *       file when it fills; a batch costs one write, not one per entry.
 *   <li>{@link #sync}: every entry appended before it, and every segment file created since the last
 *       sync (the file is forced, then the directory when files were created).
 *   <li>{@link #saveHardState}: the new state, when the call returns (temporary file, force, atomic
 *       rename, directory force): stronger than {@link RaftStorage} requires, and it costs two
 *       fsyncs, so an unchanged state is not written again.
 *   <li>{@link #truncateSuffix}: the removal, when the call returns, if it removed bytes already
 *       written to a file or deleted files. A later append could otherwise reach the disk before the
 *       removal did, and a crash would bring back entries that were truncated away.
 *   <li>{@link #compactPrefix}: the deletions, when the call returns.
 *   <li>Deleting several segments (either call): one at a time, the directory forced after each,
 *       newest first for a suffix and oldest first for a prefix. A file system may persist unlinks
 *       in any order, so a single fsync at the end could let a crash keep segments on both sides of
 *       a deleted one; {@link #load} refuses such a gap and the node could never restart. Deleted
 *       one by one, what survives a crash is always a contiguous log. It costs one fsync per deleted
 *       segment, that is per {@link #DEFAULT_MAX_SEGMENT_SIZE} of log by default.
 * </ul>
 *
 * <p><b>Recovery.</b> {@link #load} drops a torn tail of the last segment (records a crash left
 * half-written, which no completed sync covered: cut short by the end of the file, or with zeros
 * where a sector of the write never arrived) and logs a warning; any other damage, such as a
 * complete last record failing its CRC, or a gap between indexes, fails with
 * {@link CorruptLogException} (see {@code SegmentReader}). A damaged
 * hard state file fails with an {@link IOException}: a vote is never silently forgotten.
 *
 * <p><b>Segments.</b> A segment is named after its first index and rolls over once it would grow
 * past the size given to {@link #open(Path, long)}. A segment is forced before the next one is
 * created, so only the last one can have a torn tail. One file per range of indexes is also what
 * lets a snapshot discard the log prefix it covers: {@link #compactPrefix} deletes the segments
 * wholly covered (never the last one, which is being written), oldest first, so the log then starts
 * at the first index of the oldest segment left; {@link #load} accepts a log starting anywhere.
 *
 * <p><b>Threads and processes.</b> Not thread-safe: one storage thread calls every method, as
 * {@link RaftStorage} says. A lock on the directory's {@code LOCK} file keeps a second storage, in
 * this process or another, from opening the same directory.
 *
 * <p><b>Failures.</b> After a write fails with an {@link IOException} the state of the files is
 * unknown (and after a failed fsync the kernel may have dropped the dirty pages), so every later call
 * fails too; the node must restart and recover with {@link #load}.
 */
public final class FileRaftStorage implements RaftStorage {
    /** Segment size at which a new segment is started, unless {@link #open(Path, long)} says otherwise. */
    public static final long DEFAULT_MAX_SEGMENT_SIZE = 64L << 20;

    private static final int WRITE_BUFFER_SIZE = 256 << 10;
    private static final System.Logger LOG = System.getLogger(FileRaftStorage.class.getName());

    private final StorageDirectory directory;
    private final HardStateFile hardStateFile;
    private final long maxSegmentSize;
    private final long reserveBytes;
    private final java.util.function.LongSupplier usableSpace;
    /** Shared by the writers of successive segments; only the last segment is ever written. */
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_SIZE);
    /** In index order, contiguous, none empty. */
    private final List<Segment> segments = new ArrayList<>();
    /** Writes the last segment; null while the log is empty. */
    private SegmentWriter writer;
    private HardState savedHardState;
    /** Segment files were created or deleted since the directory was last forced. */
    private boolean directoryChanged;
    private boolean loaded;
    private boolean closed;
    private IOException failure;

    private FileRaftStorage(StorageDirectory directory, long maxSegmentSize, long reserveBytes,
                            java.util.function.LongSupplier usableSpace) {
        this.directory = directory;
        this.hardStateFile = new HardStateFile(directory);
        this.maxSegmentSize = maxSegmentSize;
        this.reserveBytes = reserveBytes;
        this.usableSpace = usableSpace;
    }

    /**
     * Opens the storage kept in {@code directory}, creating it and any missing parent if needed
     * (durably: see {@link DurableDirectories}), with
     * {@link #DEFAULT_MAX_SEGMENT_SIZE}. Reads nothing yet: call {@link #load} next.
     *
     * @param directory where the segments and the hard state live; locked while open
     * @return the storage
     * @throws IOException if the directory cannot be created or is locked by another storage
     */
    public static FileRaftStorage open(Path directory) throws IOException {
        return open(directory, DEFAULT_MAX_SEGMENT_SIZE);
    }

    /**
     * Like {@link #open(Path)}, starting a new segment when the current one would grow past
     * {@code maxSegmentSize} bytes. A single entry larger than that gets a segment of its own. Small
     * values suit tests; large ones mean fewer files and coarser prefix deletion.
     *
     * @param directory      where the segments and the hard state live; locked while open
     * @param maxSegmentSize the size past which a new segment starts
     * @return the storage
     * @throws IOException if the directory cannot be created or is locked by another storage
     */
    public static FileRaftStorage open(Path directory, long maxSegmentSize) throws IOException {
        return open(directory, maxSegmentSize, 0, null); // which checks maxSegmentSize
    }

    /**
     * Like {@link #open(Path, long)}, reporting {@link #lowOnSpace()} while fewer than
     * {@code reserveBytes} are free on the directory's file system, as {@code usableSpace} measures
     * (null: ask the file system). 0 disables the check.
     *
     * @param directory      where the segments and the hard state live; locked while open
     * @param maxSegmentSize the size past which a new segment starts
     * @param reserveBytes   the free space below which new commands are refused; 0 for no check
     * @param usableSpace    the free bytes now, or null to ask the file system
     * @return the storage
     * @throws IOException if the directory cannot be created or is locked by another storage
     */
    public static FileRaftStorage open(Path directory, long maxSegmentSize, long reserveBytes,
                                       java.util.function.LongSupplier usableSpace) throws IOException {
        return open(directory, maxSegmentSize, reserveBytes, usableSpace, StorageDirectory.FSYNC);
    }

    /** {@link #open(Path, long)}, forcing the directory through {@code sync}: for tests that count fsyncs. */
    static FileRaftStorage open(Path directory, long maxSegmentSize, StorageDirectory.DirectorySync sync)
            throws IOException {
        return open(directory, maxSegmentSize, 0, null, sync);
    }

    private static FileRaftStorage open(Path directory, long maxSegmentSize, long reserveBytes,
                                        java.util.function.LongSupplier usableSpace,
                                        StorageDirectory.DirectorySync sync) throws IOException {
        if (maxSegmentSize <= SegmentFormat.HEADER_SIZE || maxSegmentSize > SegmentFormat.MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("maxSegmentSize " + maxSegmentSize + " not in ("
                    + SegmentFormat.HEADER_SIZE + ", " + SegmentFormat.MAX_SEGMENT_SIZE + "]");
        }
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("negative reserve " + reserveBytes);
        }
        StorageDirectory locked = StorageDirectory.lock(directory, sync);
        java.util.function.LongSupplier probe = usableSpace;
        if (probe == null) {
            java.nio.file.FileStore store = Files.getFileStore(directory);
            probe = () -> {
                try {
                    return store.getUsableSpace();
                } catch (IOException e) {
                    return Long.MAX_VALUE; // cannot tell: do not refuse writes on a guess
                }
            };
        }
        return new FileRaftStorage(locked, maxSegmentSize, reserveBytes, probe);
    }

    /** Below the reserve given to {@link #open(Path, long, long, java.util.function.LongSupplier)}. */
    @Override
    public String lowOnSpace() {
        if (reserveBytes == 0) {
            return null;
        }
        long free = usableSpace.getAsLong();
        return free < reserveBytes ? "disk-full: " + free + " bytes free in " + directory.path()
                + ", below the reserve of " + reserveBytes : null;
    }

    /**
     * Reads the hard state and the log, repairing a torn tail (see the class comment). Called once,
     * before any write.
     *
     * @throws CorruptLogException if the log is damaged in a way a crash cannot explain
     * @throws IOException         if the hard state file is damaged, or reading fails
     */
    @Override
    public Stored load() throws IOException {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException("load() was already called");
        }
        loaded = true;
        try {
            if (hardStateFile.deleteLeftoverTemp()) {
                LOG.log(Level.INFO, () -> directory.path() + ": removed " + HardStateFile.TEMP_NAME
                        + " left by a crash during a hard state update");
            }
            savedHardState = hardStateFile.read();
            List<LogEntry> entries = readSegments();
            return new Stored(savedHardState, Collections.unmodifiableList(entries));
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private List<LogEntry> readSegments() throws IOException {
        List<Path> files = segmentFiles();
        List<LogEntry> entries = new ArrayList<>();
        long lastEnd = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long firstIndex = SegmentFormat.firstIndexOf(file);
            if (!segments.isEmpty() && firstIndex != lastIndex() + 1) {
                throw new CorruptLogException(file, 0, "segment starts at index " + firstIndex
                        + " but the one before it ends at " + lastIndex());
            }
            boolean last = i == files.size() - 1;
            SegmentReader.Scan scan = SegmentReader.scan(file, firstIndex, last);
            if (scan.entries().isEmpty()) {
                if (!last) {
                    throw new CorruptLogException(file, SegmentFormat.HEADER_SIZE, "segment holds no entry");
                }
                // A crash while the segment was being created: it holds nothing worth keeping.
                LOG.log(Level.WARNING, () -> String.format("%s: removing the last segment, which holds no"
                        + " entry (%s)", file, scan.torn() ? scan.tornReason() : "empty"));
                Files.delete(file);
                directoryChanged = true;
                continue;
            }
            if (scan.torn()) {
                LOG.log(Level.WARNING, () -> String.format("%s: dropping a torn tail from byte %d (%s);"
                        + " a crash interrupted a write that no sync had covered", file, scan.tornAt(),
                        scan.tornReason()));
            }
            segments.add(new Segment(file, firstIndex, scan.offsets(), scan.entries().size()));
            entries.addAll(scan.entries());
            lastEnd = scan.validEnd();
        }
        if (!segments.isEmpty()) {
            writer = SegmentWriter.openAt(lastSegment().file(), lastEnd, writeBuffer);
        }
        return entries;
    }

    private List<Path> segmentFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory.path())) {
            for (Path file : stream) {
                if (SegmentFormat.firstIndexOf(file) >= 0) {
                    files.add(file);
                }
            }
        }
        files.sort(Comparator.comparingLong(SegmentFormat::firstIndexOf));
        return files;
    }

    /** Durable when this returns; does nothing if {@code state} is the one saved last. */
    @Override
    public void saveHardState(HardState state) throws IOException {
        Objects.requireNonNull(state, "state");
        checkWritable();
        if (state.equals(savedHardState)) {
            return;
        }
        try {
            hardStateFile.write(state);
            savedHardState = state;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Removes every entry from {@code fromIndex} on: at or below the first index empties the log,
     * past the last index does nothing. Durable when it returns (see the class comment).
     */
    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        checkWritable();
        if (segments.isEmpty() || fromIndex > lastIndex()) {
            return;
        }
        try {
            if (fromIndex <= segments.get(0).firstIndex()) {
                deleteSegmentsFrom(0);
                return;
            }
            int position = segmentPositionOf(fromIndex);
            Segment segment = segments.get(position);
            if (segment.firstIndex() == fromIndex) {
                // Leaving the segment empty would break "every segment holds an entry": delete it.
                deleteSegmentsFrom(position);
                Path newLast = lastSegment().file();
                writer = SegmentWriter.openAt(newLast, Files.size(newLast), writeBuffer);
                return;
            }
            deleteSegmentsFrom(position + 1);
            long offset = segment.offsetOf(fromIndex);
            if (writer == null) {
                writer = SegmentWriter.openAt(segment.file(), offset, writeBuffer);
            } else {
                writer.truncate(offset);
            }
            segment.truncateFrom(fromIndex);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Deletes segments {@code from..} newest first, each deletion durable before the next, so that
     * whatever a crash midway leaves is a prefix of the log. Forcing the directory once at the end
     * would not do: a file system may persist unlinks in any order, and a crash could keep the
     * segments on both sides of a deleted one, a gap {@link #load} refuses.
     */
    private void deleteSegmentsFrom(int from) throws IOException {
        if (from >= segments.size()) {
            return;
        }
        writer.discard(); // it writes the last segment, which is going
        writer = null;
        for (int i = segments.size() - 1; i >= from; i--) {
            deleteDurably(segments.remove(i));
        }
    }

    /** Deletes a segment's file and forces the directory (which also covers segments created before). */
    private void deleteDurably(Segment segment) throws IOException {
        Files.delete(segment.file());
        directory.fsync();
        directoryChanged = false;
    }

    /**
     * Appends {@code entries} (buffered; durable after {@link #sync}). The first must follow the last
     * index, or on an empty log have any index; each next one must follow the one before.
     *
     * @throws IllegalStateException    if the indexes leave a gap or overlap; nothing is written
     * @throws IllegalArgumentException if an entry's data exceeds about 1 GiB
     */
    @Override
    public void append(List<LogEntry> entries) throws IOException {
        checkWritable();
        if (entries.isEmpty()) {
            return;
        }
        long expected = segments.isEmpty() ? entries.get(0).index() : lastIndex() + 1;
        for (LogEntry entry : entries) {
            if (entry.index() != expected) {
                throw new IllegalStateException("entry " + entry.index() + " does not continue the log: "
                        + expected + " expected");
            }
            if (entry.data().length > SegmentFormat.MAX_PAYLOAD_SIZE - SegmentFormat.PAYLOAD_FIXED_SIZE) {
                throw new IllegalArgumentException("entry " + entry.index() + " holds "
                        + entry.data().length + " bytes; too large for one record");
            }
            expected++;
        }
        try {
            for (LogEntry entry : entries) {
                appendOne(entry);
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private void appendOne(LogEntry entry) throws IOException {
        long recordSize = SegmentFormat.recordSize(entry.data().length);
        if (writer == null) {
            startSegment(entry.index());
        } else if (writer.size() + recordSize > maxSegmentSize) {
            // Force the full segment before creating the next, so that recovery may treat damage in
            // any segment but the last as corruption rather than as a torn write.
            writer.sync();
            writer.close();
            writer = null;
            startSegment(entry.index());
        }
        // The record starts below maxSegmentSize (at most 1 GiB) or right after the header.
        lastSegment().add(Math.toIntExact(writer.append(entry)));
    }

    private void startSegment(long firstIndex) throws IOException {
        Path file = directory.path().resolve(SegmentFormat.fileName(firstIndex));
        writer = SegmentWriter.create(file, writeBuffer);
        segments.add(new Segment(file, firstIndex));
        directoryChanged = true;
    }

    /**
     * Deletes, oldest first, every segment but the last whose entries all have index
     * {@code <= upToIndex}, each deletion durable before the next (one directory fsync per deleted
     * segment), so a crash midway leaves a contiguous suffix of the log. Durable when it returns.
     */
    @Override
    public void compactPrefix(long upToIndex) throws IOException {
        checkWritable();
        try {
            while (segments.size() > 1 && segments.get(0).lastIndex() <= upToIndex) {
                deleteDurably(segments.remove(0));
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** {@return the number of segment files; for tests and status} */
    public int segmentCount() {
        return segments.size();
    }

    /** Makes everything appended so far, and the creation of its segment files, durable. */
    @Override
    public void sync() throws IOException {
        checkWritable();
        try {
            if (writer != null) {
                writer.sync();
            }
            if (directoryChanged) {
                directory.fsync();
                directoryChanged = false;
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Writes buffered entries to their file (without forcing them: call {@link #sync} first to make
     * them durable), closes every file and releases the directory lock. Calling it again does nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException error = null;
        if (writer != null) {
            try {
                if (failure == null) {
                    writer.close();
                } else {
                    writer.discard();
                }
            } catch (IOException e) {
                error = e;
            }
            writer = null;
        }
        segments.clear();
        try {
            directory.close();
        } catch (IOException e) {
            if (error == null) {
                error = e;
            } else {
                error.addSuppressed(e);
            }
        }
        if (error != null) {
            throw error;
        }
    }

    private Segment lastSegment() {
        return segments.get(segments.size() - 1);
    }

    private long lastIndex() {
        return lastSegment().lastIndex();
    }

    /** Position in {@link #segments} of the segment holding {@code index}, which must be in the log. */
    private int segmentPositionOf(long index) {
        int low = 0;
        int high = segments.size() - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (segments.get(middle).firstIndex() <= index) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("storage " + directory.path() + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException("call load() before writing");
        }
        if (failure != null) {
            throw new IOException("storage " + directory.path() + " failed earlier; restart to recover",
                    failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        return e;
    }

    @Override
    public String toString() {
        return "FileRaftStorage[" + directory.path() + ", " + segments + "]";
    }
}
