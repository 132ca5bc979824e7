package io.rrmq.mq.store;

import java.io.IOException;
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
        long size = channel.size();
        if (size < length) {
            channel.close();
            throw new IOException("checkpoint segment " + file + " holds " + size + " bytes, less than " + length);
        }
        synchronized (open) {
            open.add(channel);
        }
        return FileSegmentSpace.segment(file, channel, false); // its write fails: the channel is read-only
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
