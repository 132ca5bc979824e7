package io.rrmq.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The storage directory, held exclusively: an OS lock on its {@code LOCK} file keeps a second
 * process (or a second storage in this one) from writing the same log. The lock dies with the
 * process, so a crash never leaves the directory locked; the file itself is never deleted, as
 * deleting a lock file races with whoever opens it next.
 */
final class StorageDirectory implements AutoCloseable {
    static final String LOCK_NAME = "LOCK";

    /** Forces a directory's entries to disk; a seam so tests can see which directories are forced, and when. */
    @FunctionalInterface
    interface DirectorySync {
        void fsync(Path directory) throws IOException;
    }

    /** The real one: {@link #fsync(Path)}. */
    static final DirectorySync FSYNC = directory -> fsync(directory);

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DirectorySync sync;

    private StorageDirectory(Path path, FileChannel lockChannel, FileLock lock, DirectorySync sync) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.sync = sync;
    }

    /** Creates {@code path} if needed (durably, see {@link #createDurably}) and locks it. */
    static StorageDirectory lock(Path path) throws IOException {
        return lock(path, FSYNC);
    }

    /** {@link #lock(Path)}, forcing directories (on creation and in {@link #fsync()}) through {@code sync}. */
    static StorageDirectory lock(Path path, DirectorySync sync) throws IOException {
        createDurably(path, sync);
        FileChannel channel = FileChannel.open(path.resolve(LOCK_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another channel of this JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("raft storage " + path + " is in use by another process (or by"
                    + " another open storage in this one): " + path.resolve(LOCK_NAME) + " is locked");
        }
        return new StorageDirectory(path, channel, lock, sync);
    }

    /**
     * Creates {@code directory} and every missing ancestor, and makes each creation durable before
     * the next: after creating a directory, forces the one holding it. {@link Files#createDirectories}
     * alone leaves the new entries in the page cache, so a node could save its vote (forced, renamed,
     * its own directory forced), lose power, and come back with the whole directory gone. Forces
     * nothing if {@code directory} exists.
     *
     * @throws FileAlreadyExistsException if it, or an ancestor, exists but is not a directory
     */
    static void createDurably(Path directory) throws IOException {
        createDurably(directory, FSYNC);
    }

    /** {@link #createDurably(Path)}, forcing through {@code sync}. */
    static void createDurably(Path directory, DirectorySync sync) throws IOException {
        Deque<Path> missing = new ArrayDeque<>(); // top-most first
        for (Path p = directory.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path created : missing) {
            try {
                Files.createDirectory(created);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(created)) {
                    throw e;
                }
                // Created meanwhile by someone else, who may not have forced it either.
            }
            sync.fsync(created.getParent());
        }
    }

    Path path() {
        return path;
    }

    /**
     * Makes the directory's entries durable: files created, deleted or renamed in it since survive
     * a crash. (Opening a directory for reading and forcing it works on Linux; it is how fsync(2) of
     * a directory is spelled in Java.)
     */
    void fsync() throws IOException {
        sync.fsync(path);
    }

    /** {@link #fsync()} for any directory (the snapshot store's, which has no lock of its own). */
    static void fsync(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * Renames {@code from} over {@code to} atomically and makes the rename durable: after a crash
     * {@code to} holds its old content or all of {@code from}'s, never a mix. {@code from} must have
     * been forced already, or the name could survive the crash without the data.
     */
    static void replace(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsync(to.toAbsolutePath().getParent());
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
