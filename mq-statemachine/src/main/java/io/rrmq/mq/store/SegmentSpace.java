package io.rrmq.mq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Where a {@link SegmentedMessageStore} keeps its segments: files ({@link FileSegmentSpace}) or heap
 * arrays ({@link MemorySegmentSpace}). Segments are written by the applying thread and read by it
 * and by the snapshot thread at once, with positional calls only.
 */
interface SegmentSpace {
    /** A new, empty segment for {@code chain} starting at chain position {@code base}, of at least {@code capacity} bytes. */
    Segment create(int chain, long base, int capacity) throws IOException;

    /**
     * Takes over the existing segment {@code file} of {@code chain} at {@code base} (a checkpoint's),
     * under this space's own name for it, keeping its first {@code length} bytes and dropping any
     * after them. Only spaces of files support it.
     */
    Segment adopt(int chain, long base, Path file, long length) throws IOException;

    /** Frees every segment ever created here (the store is discarded). */
    void deleteAll() throws IOException;

    /** One segment's bytes. */
    interface Segment {
        /** Writes some of {@code src} at {@code offset} in the segment; returns how many bytes. */
        int write(ByteBuffer src, long offset) throws IOException;

        /** Reads into {@code dst} from {@code offset}; returns how many bytes, or -1 past the end. */
        int read(ByteBuffer dst, long offset) throws IOException;

        /** Frees the segment; it is not used afterwards. */
        void delete() throws IOException;

        /** What to call it in an error message. */
        String name();

        /** Its file, or {@code null} on the heap. */
        Path file();
    }
}
