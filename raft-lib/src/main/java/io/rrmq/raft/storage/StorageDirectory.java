package io.rrmq.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The storage directory, held exclusively: an OS lock on its {@code LOCK} file keeps a second
 * process (or a second storage in this one) from writing the same log. The lock dies with the
 * process, so a crash never leaves the directory locked; the file itself is never deleted, as
 * deleting a lock file races with whoever opens it next.
 */
final class StorageDirectory implements AutoCloseable {
    static final String LOCK_NAME = "LOCK";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StorageDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates {@code path} if needed and locks it. */
    static StorageDirectory lock(Path path) throws IOException {
        Files.createDirectories(path);
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
        return new StorageDirectory(path, channel, lock);
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
        fsync(path);
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
