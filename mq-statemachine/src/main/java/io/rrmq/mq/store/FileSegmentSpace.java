package io.rrmq.mq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Segments as files: {@code <root>/<chain>/<base, 20 digits>.seg}, never forced to disk here (a
 * checkpoint forces the ones it freezes, see {@link FileStores}). Each segment's channel stays open
 * while it exists: one descriptor per segment.
 */
final class FileSegmentSpace implements SegmentSpace {
    private final Path root;

    FileSegmentSpace(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
    }

    @Override
    public Segment create(int chain, long base, int capacity) throws IOException {
        Path dir = root.resolve(Integer.toString(chain));
        Files.createDirectories(dir);
        Path path = dir.resolve(fileName(base));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return segment(path, channel);
    }

    /** A segment's file name: its base, zero-padded so that names sort as bases do. */
    static String fileName(long base) {
        return String.format("%020d.seg", base);
    }

    /**
     * A second name for the checkpoint's file, so that deleting the segment here later leaves the
     * checkpoint's alone. The bytes after {@code length} were written after the checkpoint and
     * never forced: they are cut off, so nothing reads them and appends continue at {@code length}.
     */
    @Override
    public Segment adopt(int chain, long base, Path file, long length) throws IOException {
        Path dir = root.resolve(Integer.toString(chain));
        Files.createDirectories(dir);
        Path path = dir.resolve(fileName(base));
        Files.createLink(path, file);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        if (size < length) {
            channel.close();
            throw new IOException("checkpoint segment " + file + " holds " + size + " bytes, less than " + length);
        }
        channel.truncate(length);
        return segment(path, channel);
    }

    private static Segment segment(Path path, FileChannel channel) {
        return segment(path, channel, true);
    }

    /**
     * The segment in {@code channel}, the file {@code path}; deleting it closes the channel and, if
     * {@code owned}, deletes the file (else it is someone else's: a checkpoint's).
     */
    static Segment segment(Path path, FileChannel channel, boolean owned) {
        return new Segment() {
            @Override
            public int write(ByteBuffer src, long offset) throws IOException {
                return channel.write(src, offset);
            }

            @Override
            public int read(ByteBuffer dst, long offset) throws IOException {
                return channel.read(dst, offset);
            }

            @Override
            public void delete() throws IOException {
                channel.close();
                if (owned) {
                    Files.deleteIfExists(path);
                }
            }

            @Override
            public String name() {
                return path.toString();
            }

            @Override
            public Path file() {
                return path;
            }
        };
    }

    @Override
    public void deleteAll() throws IOException {
        deleteTree(root);
    }

    /** Deletes {@code dir} and everything beneath it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
