package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.SegmentFormat.HEADER_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.MAGIC;
import static io.rrmq.raft.storage.SegmentFormat.MAX_PAYLOAD_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.PAYLOAD_FIXED_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.RECORD_HEADER_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.VERSION;

import io.rrmq.raft.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads one segment file at startup and decides what a damaged record means.
 *
 * <p><b>Torn tail or corruption.</b> A crash can leave the end of the last segment half-written.
 * Those records were never covered by a completed sync, so dropping them is allowed. But a record
 * that was synced, and perhaps acknowledged and counted toward a commit, can also be damaged later
 * (a flipped bit on the disk or on its way), and dropping that one would silently un-acknowledge
 * it. So a bad record at the end of the last segment, with no valid record anywhere after it, is
 * taken for a torn write only if it looks like one (the rule of etcd's WAL, {@code isTornEntry}):
 * <ul>
 *   <li>it is cut short by the end of the file, in its header or its payload: the file's new size
 *       reached the disk, not all of the write;
 *   <li>its length field is 0: a zero-filled tail (the size reached the disk, the data did not);
 *   <li>it is complete but one of its sector chunks (its bytes split at file offsets that are
 *       multiples of 512) is all zeros: a write some of whose sectors never reached the disk.
 * </ul>
 * Anything else is corruption and fails with {@link CorruptLogException}: a complete record whose
 * CRC does not match and which has no all-zero sector chunk, a non-zero length no writer produces,
 * a length reaching past the end of the file while the bytes that are there match the record's
 * CRC (a damaged length field), any bad record followed by a valid one (a flipped bit in a length
 * field must not pass for a torn tail and take the acknowledged entries behind it along), a bad
 * record in an earlier segment (those are forced before the next one is created), or indexes that
 * do not follow one another.
 *
 * <p>The prices of that rule. A damaged last record that happens to hold an all-zero sector chunk
 * (a chunk cut short by a sector boundary inside zero bytes, such as the high bytes of its length or
 * index, or 512 zero bytes of data) is still dropped as torn; etcd accepts the same. And recovery
 * reports corruption, instead of dropping an unsynced tail, if a crash ever persisted a later page
 * of a write but not an earlier one, or left stale non-zero bytes where unwritten data should read
 * as zeros. Failing loudly is the safe side: the operator wipes the directory and the node catches
 * up from the leader.
 */
final class SegmentReader implements AutoCloseable {

    /**
     * What the scan found: the entries with their record offsets, where the valid part of the file
     * ends, and, if {@code tornAt >= 0}, where a torn tail starts and why it is considered torn.
     */
    record Scan(List<LogEntry> entries, int[] offsets, long validEnd, long tornAt, String tornReason) {
        boolean torn() {
            return tornAt >= 0;
        }
    }

    private static final int WINDOW_SIZE = 1 << 20;
    /** The smallest unit a disk writes whole; a torn write leaves whole sectors unwritten. */
    private static final int SECTOR_SIZE = 512;

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final CRC32C crc = new CRC32C();
    /** Holds the file's bytes [windowStart, windowStart + window.limit()). */
    private ByteBuffer window = ByteBuffer.allocate(WINDOW_SIZE).limit(0);
    private long windowStart;
    /** Where in {@link #window} the record last accepted by {@link #frameProblem} starts. */
    private int framed;

    private SegmentReader(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.fileSize = channel.size();
    }

    /**
     * Reads every record of {@code file}, whose name says it starts at {@code firstIndex}.
     *
     * @param last whether this is the last segment, the only one allowed a torn tail or an unwritten
     *             header (a crash while it was being created)
     * @throws CorruptLogException if the file is damaged in a way a crash cannot explain
     */
    static Scan scan(Path file, long firstIndex, boolean last) throws IOException {
        try (SegmentReader reader = new SegmentReader(file)) {
            return reader.scan(firstIndex, last);
        }
    }

    private Scan scan(long firstIndex, boolean last) throws IOException {
        int header = readWindow(0, HEADER_SIZE);
        if (header < 0 || window.getInt(header) != MAGIC) {
            // Too short for a header, or zeros where it should be: a segment whose creation a crash
            // interrupted. It cannot hold a record, so nothing is lost by treating it as empty.
            if (last && (header < 0 || allZero(0, fileSize))) {
                return new Scan(List.of(), new int[0], 0, 0, "segment header never written");
            }
            throw new CorruptLogException(file, 0, header < 0
                    ? "file shorter than the segment header" : "not a segment (bad magic)");
        }
        int version = window.getInt(header + 4);
        if (version != VERSION) {
            throw new IOException(file + ": segment format version " + version
                    + " is not supported (this build reads version " + VERSION + ")");
        }
        List<LogEntry> entries = new ArrayList<>();
        int[] offsets = new int[64];
        long position = HEADER_SIZE;
        long expectedIndex = firstIndex;
        while (position < fileSize) {
            String problem = frameProblem(position);
            if (problem != null) {
                return tornTail(position, problem, last, entries, offsets);
            }
            int length = window.getInt(framed);
            LogEntry entry = decode(position);
            if (entry.index() != expectedIndex) {
                throw new CorruptLogException(file, position,
                        "entry index " + entry.index() + " where " + expectedIndex + " was expected");
            }
            if (entries.size() == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[entries.size()] = Math.toIntExact(position);
            entries.add(entry);
            position += RECORD_HEADER_SIZE + length;
            expectedIndex++;
        }
        return new Scan(entries, offsets, position, -1, null);
    }

    private Scan tornTail(long position, String problem, boolean last, List<LogEntry> entries,
                          int[] offsets) throws IOException {
        if (!last) {
            throw new CorruptLogException(file, position,
                    problem + " (in a segment that is not the last; those are forced before the next is created)");
        }
        // Costly only when garbage follows, and only on the recovery path.
        for (long later = position + 1; later + RECORD_HEADER_SIZE + PAYLOAD_FIXED_SIZE <= fileSize; later++) {
            if (frameProblem(later) == null) {
                throw new CorruptLogException(file, position,
                        problem + ", yet a valid record follows at byte " + later);
            }
        }
        return new Scan(entries, offsets, position, position, tornWrite(position, problem));
    }

    /**
     * Says why the bad record at {@code position}, whose framing {@code problem} describes, can be a
     * write a crash interrupted (see the class comment), or throws if it cannot be one.
     */
    private String tornWrite(long position, String problem) throws IOException {
        int at = readWindow(position, RECORD_HEADER_SIZE);
        if (at < 0) {
            return problem; // header cut short
        }
        long length = Integer.toUnsignedLong(window.getInt(at));
        int storedCrc = window.getInt(at + 4);
        if (length == 0) {
            return "record length 0: a zero-filled tail";
        }
        if (length < PAYLOAD_FIXED_SIZE || length > PAYLOAD_FIXED_SIZE + (long) MAX_PAYLOAD_SIZE) {
            throw new CorruptLogException(file, position, problem
                    + " at the end of the last segment; not 0, so not a zero-filled tail but a damaged length");
        }
        long payloadStart = position + RECORD_HEADER_SIZE;
        long end = payloadStart + length;
        if (end > fileSize) {
            long present = fileSize - payloadStart;
            if (present >= PAYLOAD_FIXED_SIZE && crcOf(payloadStart, fileSize) == storedCrc) {
                throw new CorruptLogException(file, position, "record length " + length
                        + " reaches past the end of the file, yet the " + present
                        + " payload bytes there match the record's CRC: a damaged length, not a torn write");
            }
            return problem; // payload cut short
        }
        long zeroChunk = firstZeroSectorChunk(position, end);
        if (zeroChunk >= 0) {
            return String.format("CRC mismatch, and the record's bytes %d..%d of the file, a sector's share,"
                    + " are all zeros: part of the write never reached the disk", zeroChunk,
                    Math.min(end, (zeroChunk / SECTOR_SIZE + 1) * SECTOR_SIZE) - 1);
        }
        throw new CorruptLogException(file, position, String.format("CRC mismatch in the complete last"
                + " record (length %d, CRC stored %08x, computed %08x), and none of its %d-byte sectors is"
                + " all zeros: the record was damaged after it was written, not torn by a crash",
                length, storedCrc, crcOf(payloadStart, end), SECTOR_SIZE));
    }

    /**
     * Where the first chunk of bytes [from, to) that is all zeros starts, splitting at file offsets
     * that are multiples of {@link #SECTOR_SIZE}; -1 if there is none.
     */
    private long firstZeroSectorChunk(long from, long to) throws IOException {
        for (long start = from; start < to; ) {
            long next = Math.min(to, (start / SECTOR_SIZE + 1) * SECTOR_SIZE);
            if (allZero(start, next)) {
                return start;
            }
            start = next;
        }
        return -1;
    }

    /**
     * Checks the framing of the record at {@code position}: length, bounds and CRC. Returns null if
     * it is sound (the record is then in the window at {@link #framed}), a description otherwise.
     */
    private String frameProblem(long position) throws IOException {
        int at = readWindow(position, RECORD_HEADER_SIZE);
        if (at < 0) {
            return "record header cut short by the end of the file";
        }
        long length = Integer.toUnsignedLong(window.getInt(at));
        int storedCrc = window.getInt(at + 4);
        if (length < PAYLOAD_FIXED_SIZE || length > PAYLOAD_FIXED_SIZE + (long) MAX_PAYLOAD_SIZE) {
            return "impossible record length " + length;
        }
        at = readWindow(position, RECORD_HEADER_SIZE + (int) length);
        if (at < 0) {
            return "record of " + length + " bytes cut short by the end of the file";
        }
        int payloadStart = at + RECORD_HEADER_SIZE;
        crc.reset();
        crc.update(window.duplicate().limit(payloadStart + (int) length).position(payloadStart));
        if ((int) crc.getValue() != storedCrc) {
            return "CRC mismatch";
        }
        framed = at;
        return null;
    }

    /** Decodes the record {@link #frameProblem} just accepted. */
    private LogEntry decode(long position) throws CorruptLogException {
        int length = window.getInt(framed);
        ByteBuffer payload = window.duplicate().position(framed + RECORD_HEADER_SIZE);
        long index = payload.getLong();
        long term = payload.getLong();
        byte typeCode = payload.get();
        byte[] data = new byte[length - PAYLOAD_FIXED_SIZE];
        payload.get(data);
        try {
            return new LogEntry(index, term, LogEntry.Type.fromCode(typeCode), data);
        } catch (IllegalArgumentException e) {
            // The CRC matched, so these are the bytes that were written: not a torn write.
            throw new CorruptLogException(file, position, "undecodable entry: " + e.getMessage());
        }
    }

    /**
     * Makes the file's bytes [position, position + length) available in the window and returns the
     * window index of {@code position}, or -1 if the file ends before them.
     */
    private int readWindow(long position, int length) throws IOException {
        if (position + length > fileSize) {
            return -1;
        }
        if (position >= windowStart && position + length <= windowStart + window.limit()) {
            return (int) (position - windowStart);
        }
        if (length > window.capacity()) {
            window = ByteBuffer.allocate(length);
        }
        window.clear().limit((int) Math.min(window.capacity(), fileSize - position));
        long at = position;
        while (window.hasRemaining()) {
            int n = channel.read(window, at);
            if (n < 0) {
                throw new IOException(file + " shrank while being read");
            }
            at += n;
        }
        window.flip();
        windowStart = position;
        return 0;
    }

    /** Whether the file's bytes [from, to) are all zeros. */
    private boolean allZero(long from, long to) throws IOException {
        for (long p = from; p < to; p += WINDOW_SIZE) {
            int n = (int) Math.min(WINDOW_SIZE, to - p);
            int at = readWindow(p, n);
            for (int i = 0; i < n; i++) {
                if (window.get(at + i) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** CRC32C of the file's bytes [from, to), as a record stores it. */
    private int crcOf(long from, long to) throws IOException {
        crc.reset();
        for (long p = from; p < to; p += WINDOW_SIZE) {
            int n = (int) Math.min(WINDOW_SIZE, to - p);
            int at = readWindow(p, n);
            crc.update(window.duplicate().limit(at + n).position(at));
        }
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
