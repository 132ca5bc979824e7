package io.rrmq.raft.storage;

import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.SnapshotWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@link SnapshotStore} in a directory (the {@code snapshots} directory beside the log, under the
 * same lock: open the {@link FileRaftStorage} first).
 *
 * <pre>
 * snapshot-&lt;lastIncludedIndex, 20 digits&gt;.snap   a whole snapshot (layout in {@code SnapshotFile})
 * snapshot-....snap.tmp                           one being saved; deleted at open (a crash left it)
 * incoming.part                                   one being received; deleted at open
 * </pre>
 *
 * <p>Saving writes the temporary file, forces it, renames it to its snapshot name and forces the
 * directory, so a snapshot name only ever holds a whole, durable snapshot. Thread-safe: every method
 * holds the store's lock, but for reading a stream once opened.
 */
public final class FileSnapshotStore implements SnapshotStore {
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".snap";
    static final String TEMP_SUFFIX = ".tmp";
    static final String INCOMING = "incoming.part";
    private static final System.Logger LOG = System.getLogger(FileSnapshotStore.class.getName());

    private final Path directory;
    private FileIncoming incoming;

    private FileSnapshotStore(Path directory) {
        this.directory = directory;
    }

    /**
     * Opens (creating if needed, durably: see {@link DurableDirectories}) the store in
     * {@code directory}, removing what a crash left half-done.
     *
     * @param directory where the snapshot files live
     * @return the store
     * @throws IOException if the directory cannot be created or read
     */
    public static FileSnapshotStore open(Path directory) throws IOException {
        StorageDirectory.createDurably(directory);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path file : stream) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX) || name.equals(INCOMING)) {
                    LOG.log(Level.INFO, () -> "removing " + file + ", an unfinished snapshot a crash left");
                    Files.delete(file);
                }
            }
        }
        return new FileSnapshotStore(directory);
    }

    static String fileName(long index) {
        return String.format("%s%020d%s", PREFIX, index, SUFFIX);
    }

    private Path file(long index) {
        return directory.resolve(fileName(index));
    }

    /** Index named by a snapshot file's name, or -1 if it is not one. */
    static long indexOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)
                || name.length() != PREFIX.length() + 20 + SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private List<Long> indexes() throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path file : stream) {
                long index = indexOf(file);
                if (index > 0) {
                    out.add(index);
                }
            }
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }

    /** Headers of the snapshots whose header can be read; an unreadable one is logged and skipped. */
    @Override
    public synchronized List<SnapshotMeta> list() throws IOException {
        List<SnapshotMeta> out = new ArrayList<>();
        for (long index : indexes()) {
            Path file = file(index);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 4096)) {
                SnapshotMeta meta = SnapshotFile.readHeader(in, file.toString()).meta();
                if (meta.lastIncludedIndex() != index) {
                    throw new IOException(file + " holds the snapshot of index " + meta.lastIncludedIndex());
                }
                out.add(meta);
            } catch (IOException e) {
                LOG.log(Level.ERROR, "unreadable snapshot " + file + ": " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public synchronized void verify(long index) throws IOException {
        Path file = file(index);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            SnapshotMeta meta = SnapshotFile.verify(in, Files.size(file), file.toString()).meta();
            if (meta.lastIncludedIndex() != index) {
                throw new IOException(file + " holds the snapshot of index " + meta.lastIncludedIndex());
            }
        }
    }

    @Override
    public synchronized InputStream openState(long index) throws IOException {
        Path file = file(index);
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return SnapshotFile.openState(in, Files.size(file), index, file.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public synchronized void save(SnapshotMeta meta, SnapshotWriter writer, int retain) throws IOException {
        Path target = file(meta.lastIncludedIndex());
        Path temp = directory.resolve(target.getFileName() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            SnapshotFile.write(out, meta, writer);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp); // e.g. the disk is full: leave nothing half-written behind
            throw e;
        }
        StorageDirectory.replace(temp, target);
        List<Long> present = indexes();
        for (int i = Math.max(retain, 1); i < present.size(); i++) {
            Files.deleteIfExists(file(present.get(i)));
        }
    }

    @Override
    public synchronized long size(long index) throws IOException {
        return Files.size(file(index));
    }

    @Override
    public synchronized byte[] read(long index, long offset, int maxBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file(index), StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset < 0 || offset > size) {
                throw new IOException("offset " + offset + " outside snapshot " + index + " of " + size + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(maxBytes, size - offset));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("snapshot " + index + " shrank while read");
                }
            }
            return buffer.array();
        }
    }

    @Override
    public synchronized Incoming receive(long index, long term) throws IOException {
        if (incoming != null) {
            incoming.abort();
        }
        incoming = new FileIncoming(index, term);
        return incoming;
    }

    @Override
    public synchronized void close() {
        if (incoming != null) {
            incoming.abort();
        }
    }

    @Override
    public String toString() {
        return "FileSnapshotStore[" + directory + "]";
    }

    private final class FileIncoming implements Incoming {
        private final long index;
        private final long term;
        private final Path part = directory.resolve(INCOMING);
        private FileChannel channel;
        private long written;

        FileIncoming(long index, long term) throws IOException {
            this.index = index;
            this.term = term;
            this.channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        }

        @Override
        public void write(long offset, byte[] data) throws IOException {
            synchronized (FileSnapshotStore.this) {
                if (channel == null || offset != written) {
                    throw new IOException("chunk at " + offset + " does not continue the " + written
                            + " bytes received of snapshot " + index);
                }
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                written += data.length;
            }
        }

        @Override
        public SnapshotMeta complete() throws IOException {
            synchronized (FileSnapshotStore.this) {
                if (channel == null) {
                    throw new IOException("snapshot " + index + " was aborted");
                }
                try {
                    channel.force(true);
                    channel.close();
                    channel = null;
                    SnapshotMeta meta;
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(part), 1 << 16)) {
                        meta = SnapshotFile.verify(in, written, "received snapshot " + index).meta();
                    }
                    if (meta.lastIncludedIndex() != index || meta.lastIncludedTerm() != term) {
                        throw new IOException("received snapshot claims " + meta + ", expected " + index + "@" + term);
                    }
                    StorageDirectory.replace(part, file(index));
                    // Figure 13 receiver rule 5: discard any existing snapshot with a smaller index.
                    for (long older : indexes()) {
                        if (older < index) {
                            Files.deleteIfExists(file(older));
                        }
                    }
                    return meta;
                } catch (IOException | RuntimeException e) {
                    abort();
                    throw e;
                } finally {
                    if (incoming == this) {
                        incoming = null;
                    }
                }
            }
        }

        @Override
        public void abort() {
            synchronized (FileSnapshotStore.this) {
                try {
                    if (channel != null) {
                        channel.close();
                    }
                    channel = null;
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "discarding " + part + " failed", e);
                }
                if (incoming == this) {
                    incoming = null;
                }
            }
        }
    }
}
