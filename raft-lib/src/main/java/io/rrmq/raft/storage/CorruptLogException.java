package io.rrmq.raft.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The log on disk is damaged in a way a crash cannot explain: a bad record with valid data after it,
 * a bad record in a segment that is not the last one, a bad last record without the marks of a torn
 * write (a complete record failing its CRC with no all-zero sector, a damaged length), or indexes
 * that do not follow each other.
 * Storage refuses to start rather than silently drop entries this node may have acknowledged; an
 * operator must repair or wipe the directory (the node then catches up from the leader).
 */
public final class CorruptLogException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** Byte offset of the first damaged record. */
    private final long offset;

    /**
     * @param file    the damaged segment file
     * @param offset  byte offset of the first damaged record
     * @param problem what is wrong there
     */
    public CorruptLogException(Path file, long offset, String problem) {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** {@return the damaged segment file} */
    public Path file() {
        return file;
    }

    /** {@return the byte offset in {@link #file()} of the first damaged record (or header)} */
    public long offset() {
        return offset;
    }
}
