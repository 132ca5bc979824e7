package io.rrmq.raft.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * Creating directories that survive a power failure. {@link java.nio.file.Files#createDirectories}
 * never forces the directory that holds a new one, so the new entry can be lost in a crash together
 * with everything later written and forced inside it. {@link FileRaftStorage#open} and
 * {@link FileSnapshotStore#open} create their directories this way; whoever creates a directory
 * above them (a node's data directory) should too, or they find it existing and force nothing.
 */
public final class DurableDirectories {
    private DurableDirectories() {
    }

    /**
     * Creates {@code directory} and every missing ancestor like {@code Files.createDirectories}, and
     * after creating each one forces the directory holding it (top-most first), so all of them are
     * durable when this returns. Does nothing, and forces nothing, if {@code directory} exists.
     *
     * @param directory the directory to create
     * @throws FileAlreadyExistsException if it, or an ancestor, exists but is not a directory
     * @throws IOException                if creating or forcing fails
     */
    public static void create(Path directory) throws IOException {
        StorageDirectory.createDurably(directory);
    }

    /**
     * Forces {@code directory} itself: entries created, renamed or deleted in it since survive a crash
     * once this returns.
     *
     * @param directory the directory to force
     * @throws IOException if forcing fails
     */
    public static void fsync(Path directory) throws IOException {
        StorageDirectory.fsync(directory);
    }
}
