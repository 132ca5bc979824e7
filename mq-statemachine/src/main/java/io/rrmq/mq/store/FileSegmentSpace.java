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
 * Segments as files: {@code <root>/<chain>/<base, 20 digits>.seg}, never forced to disk (the store
 * is rebuilt after a restart, see {@link MessageStore}). Each segment's channel stays open while it
 * exists: one descriptor per segment.
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
        Path path = dir.resolve(String.format("%020d.seg", base));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
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
                Files.deleteIfExists(path);
            }

            @Override
            public String name() {
                return path.toString();
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
