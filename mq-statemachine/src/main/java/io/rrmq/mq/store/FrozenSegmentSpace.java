package io.rrmq.mq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint's segment files, read in place and never changed: for a store that only reads what a
 * checkpoint froze ({@link SegmentedMessageStore#frozen}), while the live store goes on with the
 * same files under its own names (appending after the checkpoint's ends, which nothing here reads).
 * Deleting a segment or the whole space closes descriptors only.
 */
final class FrozenSegmentSpace implements SegmentSpace {
    private final List<FileChannel> open = new ArrayList<>();

    @Override
    public Segment create(int chain, long base, int capacity) {
        throw new UnsupportedOperationException("a checkpoint's segments are read only");
    }

    @Override
    public Segment adopt(int chain, long base, Path file, long length) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        if (channel.size() < length) {
            channel.close();
            throw new IOException("checkpoint segment " + file + " holds " + channel.size() + " bytes, less than " + length);
        }
        synchronized (open) {
            open.add(channel);
        }
        return new Segment() {
            @Override
            public int write(ByteBuffer src, long offset) {
                throw new UnsupportedOperationException("a checkpoint's segments are read only: " + file);
            }

            @Override
            public int read(ByteBuffer dst, long offset) throws IOException {
                return channel.read(dst, offset);
            }

            @Override
            public void delete() throws IOException {
                channel.close();
            }

            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public Path file() {
                return file;
            }
        };
    }

    @Override
    public void deleteAll() throws IOException {
        synchronized (open) {
            for (FileChannel channel : open) {
                channel.close();
            }
            open.clear();
        }
    }
}
