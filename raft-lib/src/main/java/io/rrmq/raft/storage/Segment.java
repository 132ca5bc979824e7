package io.rrmq.raft.storage;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What {@link FileRaftStorage} remembers about one segment file: its first index and the byte
 * offset of every record in it, so a suffix can be cut at the right place without reading the file.
 * Costs 4 bytes per entry. Never empty: a segment that would lose its last entry is deleted instead.
 */
final class Segment {
    private final Path file;
    private final long firstIndex;
    private int[] offsets;
    private int count;

    Segment(Path file, long firstIndex) {
        this(file, firstIndex, new int[16], 0);
    }

    Segment(Path file, long firstIndex, int[] offsets, int count) {
        this.file = file;
        this.firstIndex = firstIndex;
        this.offsets = offsets.length == 0 ? new int[16] : offsets;
        this.count = count;
    }

    Path file() {
        return file;
    }

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return firstIndex + count - 1;
    }

    int entryCount() {
        return count;
    }

    boolean contains(long index) {
        return index >= firstIndex && index <= lastIndex();
    }

    /** Byte offset of the record holding {@code index}. */
    int offsetOf(long index) {
        if (!contains(index)) {
            throw new IllegalArgumentException(index + " not in " + this);
        }
        return offsets[(int) (index - firstIndex)];
    }

    void add(int offset) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[count++] = offset;
    }

    /** Forgets every entry from {@code fromIndex} on; the caller cuts the file. */
    void truncateFrom(long fromIndex) {
        if (fromIndex <= firstIndex) {
            throw new IllegalArgumentException("would empty " + this + "; delete it instead");
        }
        count = (int) Math.min(count, fromIndex - firstIndex);
    }

    @Override
    public String toString() {
        return file.getFileName() + "[" + firstIndex + ".." + lastIndex() + "]";
    }
}
