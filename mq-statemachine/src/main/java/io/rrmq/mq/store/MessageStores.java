package io.rrmq.mq.store;

import io.rrmq.raft.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Makes the empty {@link MessageStore} a machine starts with, and the one it restores a snapshot
 * into (the old one is then {@linkplain MessageStore#discard discarded}); and, for stores in files
 * ({@link FileStores}), keeps the checkpoint a restarting machine resumes from. {@link #create} and
 * {@link #resume} are called on the applying thread, {@link #checkpoint} on the snapshot thread.
 */
@FunctionalInterface
public interface MessageStores {
    /** A new, empty store. */
    MessageStore create();

    /**
     * A checkpoint's store, opened, and the machine's metadata saved with it, as a stream (it may be
     * large) that the receiver closes.
     */
    record Resumed(InputStream metadata, MessageStore store) {
    }

    /**
     * Makes durable, as the checkpoint of {@code index}, the records {@code pin} keeps (frozen as
     * they were when it was taken) with the machine's {@code metadata} (streamed into the checkpoint:
     * it may be large); returns once it is complete
     * and durable. The pin stays open until then. The default keeps no checkpoints.
     *
     * @throws IOException the checkpoint could not be made durable; none of {@code index} exists then
     */
    default void checkpoint(long index, SnapshotWriter metadata, MessageStore.Pin pin) throws IOException {
    }

    /** Whether {@link #checkpoint} makes checkpoints (so a snapshot may refer to one). The default: no. */
    default boolean keepsCheckpoints() {
        return false;
    }

    /**
     * The complete checkpoint of exactly {@code index}, opened for reading only (on the snapshot
     * thread, while the machine goes on): its files are not changed, and discarding the store frees
     * only what opening it took. Empty if there is none or it is damaged. The default keeps none.
     *
     * @throws IOException the medium failed
     */
    default Optional<Resumed> readOnly(long index) throws IOException {
        return Optional.empty();
    }

    /**
     * The complete checkpoint of exactly {@code index}, opened as a new store, or empty if there is
     * none (or it is damaged). The default keeps no checkpoints.
     *
     * @throws IOException the medium failed
     */
    default Optional<Resumed> resume(long index) throws IOException {
        return Optional.empty();
    }

    /** Stores on the heap ({@link SegmentedMessageStore#inMemory}). */
    static MessageStores memory() {
        return () -> SegmentedMessageStore.inMemory(SegmentedMessageStore.MEMORY_SEGMENT_BYTES);
    }
}
