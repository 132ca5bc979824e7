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
 * <p><b>Torn tail or corruption.</b> A crash can leave the end of the last segment half-written: a
 * record cut short, a record whose bytes never all reached the disk (CRC mismatch), or a file
 * extended with zeros. Those records were never covered by a completed sync, so dropping them is
 * allowed. A bad record is therefore a torn tail only if it is in the last segment and no valid
 * record starts anywhere after it. Any other bad record, a bad record in an earlier segment (those
 * are forced before the next one is created), or indexes that do not follow one another, is
 * corruption: a flipped bit in a length field must not pass for a torn tail and silently take the
 * acknowledged entries behind it with it.
 *
 * <p>The price of that rule: if a crash ever persisted a later page of an unsynced write but not an
 * earlier one (file systems write back a file's pages in order, so this is not expected), recovery
 * reports corruption instead of dropping the unsynced tail. Failing loudly is the safe side.
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
            if (last && (header < 0 || allZero())) {
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
        return new Scan(entries, offsets, position, position, problem);
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

    private boolean allZero() throws IOException {
        for (long p = 0; p < fileSize; p += WINDOW_SIZE) {
            int n = (int) Math.min(WINDOW_SIZE, fileSize - p);
            int at = readWindow(p, n);
            for (int i = 0; i < n; i++) {
                if (window.get(at + i) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
