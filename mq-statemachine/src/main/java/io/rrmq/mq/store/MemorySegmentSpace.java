package io.rrmq.mq.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Segments as heap arrays, allocated whole (so a reader on another thread never sees one replaced):
 * for tests, the simulation, and machines embedded without a directory.
 */
final class MemorySegmentSpace implements SegmentSpace {
    @Override
    public Segment create(int chain, long base, int capacity) {
        byte[] bytes = new byte[capacity];
        String name = "memory segment " + chain + ":" + base;
        return new Segment() {
            @Override
            public int write(ByteBuffer src, long offset) {
                int n = src.remaining();
                src.get(bytes, (int) offset, n);
                return n;
            }

            @Override
            public int read(ByteBuffer dst, long offset) {
                if (offset >= bytes.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), bytes.length - offset);
                dst.put(bytes, (int) offset, n);
                return n;
            }

            @Override
            public void delete() {
                // the array goes with the last reference
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Path file() {
                return null;
            }
        };
    }

    @Override
    public Segment adopt(int chain, long base, Path file, long length) {
        throw new UnsupportedOperationException("a heap store has no files to adopt");
    }

    @Override
    public void deleteAll() {
        // nothing outside the heap
    }
}
