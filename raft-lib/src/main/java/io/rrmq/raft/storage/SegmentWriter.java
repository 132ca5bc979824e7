package io.rrmq.raft.storage;

import static io.rrmq.raft.storage.SegmentFormat.MAGIC;
import static io.rrmq.raft.storage.SegmentFormat.PAYLOAD_FIXED_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.RECORD_HEADER_SIZE;
import static io.rrmq.raft.storage.SegmentFormat.VERSION;

import io.rrmq.raft.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Appends records to the end of one segment file. Records are encoded into a memory buffer and
 * reach the file when the buffer fills or on {@link #flush()}, so a batch of small entries costs one
 * write system call rather than one per entry. Nothing is durable before {@link #sync()}.
 *
 * <p>The buffer is lent by the caller and must not be used by anyone else while this writer is
 * open; one buffer serves every segment in turn.
 */
final class SegmentWriter implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final CRC32C crc = new CRC32C();
    /** Bytes already handed to the operating system; the buffer holds what follows. */
    private long flushedSize;
    /** Whether bytes were written (or buffered) since the last force. */
    private boolean unforced;

    private SegmentWriter(Path file, FileChannel channel, long flushedSize, ByteBuffer buffer) {
        this.file = file;
        this.channel = channel;
        this.flushedSize = flushedSize;
        this.buffer = buffer.clear();
    }

    /** Creates a new segment file holding just the header (buffered, like everything else). */
    static SegmentWriter create(Path file, ByteBuffer buffer) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        SegmentWriter writer = new SegmentWriter(file, channel, 0, buffer);
        writer.buffer.putInt(MAGIC).putInt(VERSION);
        writer.unforced = true;
        return writer;
    }

    /**
     * Reopens an existing segment to append after byte {@code end}. Anything past {@code end} (a torn
     * write found by recovery) is cut off and the cut made durable before any new record can land
     * behind it.
     */
    static SegmentWriter openAt(Path file, long end, ByteBuffer buffer) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        try {
            if (channel.size() > end) {
                channel.truncate(end);
                channel.force(true);
            }
            return new SegmentWriter(file, channel, end, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    /** Length the file will have once buffered bytes are flushed. */
    long size() {
        return flushedSize + buffer.position();
    }

    /** Encodes {@code entry} at the end of the segment and returns the offset of its record. */
    long append(LogEntry entry) throws IOException {
        long start = size();
        int recordSize = Math.toIntExact(SegmentFormat.recordSize(entry.data().length));
        if (recordSize > buffer.remaining()) {
            flush();
        }
        if (recordSize <= buffer.remaining()) {
            encode(entry, buffer);
        } else {
            // Larger than the whole buffer: encode on its own rather than grow the shared buffer.
            ByteBuffer single = ByteBuffer.allocate(recordSize);
            encode(entry, single);
            writeFully(single.flip());
        }
        unforced = true;
        return start;
    }

    private void encode(LogEntry entry, ByteBuffer out) {
        int start = out.position();
        int payloadStart = start + RECORD_HEADER_SIZE;
        out.position(payloadStart);
        out.putLong(entry.index()).putLong(entry.term()).put(entry.type().code()).put(entry.data());
        int end = out.position();
        crc.reset();
        crc.update(out.duplicate().position(payloadStart).limit(end));
        out.putInt(start, PAYLOAD_FIXED_SIZE + entry.data().length);
        out.putInt(start + 4, (int) crc.getValue());
    }

    /** Hands buffered bytes to the operating system (not yet durable). */
    void flush() throws IOException {
        if (buffer.position() > 0) {
            writeFully(buffer.flip());
            buffer.clear();
        }
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            flushedSize += channel.write(bytes, flushedSize);
        }
    }

    /** Flushes and forces the file: every record appended so far is durable when this returns. */
    void sync() throws IOException {
        flush();
        if (unforced) {
            // force(false) = fdatasync: writes the data and the size, skips timestamps.
            channel.force(false);
            unforced = false;
        }
    }

    /**
     * Cuts the file at byte {@code offset} (the start of a record). The cut is durable when this
     * returns if it removed bytes the file already had: otherwise records appended afterwards could
     * reach the disk while the removed ones did not leave it, and a crash would bring back entries
     * that were truncated away.
     */
    void truncate(long offset) throws IOException {
        if (offset >= flushedSize) {
            buffer.position(Math.toIntExact(offset - flushedSize)); // only buffered bytes go
            return;
        }
        buffer.clear();
        channel.truncate(offset);
        channel.force(true);
        flushedSize = offset;
        unforced = false;
    }

    /** Flushes buffered bytes (without forcing them) and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }

    /** Closes the file and drops buffered bytes: for a segment about to be deleted, or after a failure. */
    void discard() throws IOException {
        buffer.clear();
        channel.close();
    }
}
