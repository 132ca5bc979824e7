package io.rrmq.raft;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Durable snapshots of the state machine (Raft paper §7): the ones this node took, and the one a
 * leader is sending it.
 *
 * <p>A snapshot is a file of bytes: a header with its {@link SnapshotMeta}, the state machine's
 * state as its {@link SnapshotWriter} wrote it, and a checksum over all of it. Leaders send these
 * very bytes in InstallSnapshot chunks, so a follower can check a transfer end to end.
 *
 * <p><b>Durability.</b> {@link #save} and {@link Incoming#complete} return once the new snapshot is
 * durable and complete (written to a temporary name, forced, renamed, directory forced): a crash at
 * any point leaves either no new snapshot or a whole one, never a partial one under a snapshot's
 * name. A partial incoming snapshot does not survive a restart.
 *
 * <p><b>Threads.</b> The runtime reads the store on its event loop at start-up and when it restores
 * the state machine, and does everything else on its one snapshot thread. Implementations serialize
 * calls themselves (they are cheap to lock: the data streams are read outside the lock).
 */
public interface SnapshotStore extends AutoCloseable {

    /**
     * The snapshots present, newest (highest index) first, from their headers; not yet verified.
     *
     * @return their metadata
     * @throws IOException the medium failed
     */
    List<SnapshotMeta> list() throws IOException;

    /**
     * Reads the whole snapshot at {@code index} and checks its checksum and header.
     *
     * @param index the snapshot's last included index
     * @throws IOException if it is missing or damaged
     */
    void verify(long index) throws IOException;

    /**
     * Opens the state part of the snapshot at {@code index}, for {@link StateMachine#restoreSnapshot}.
     * The stream checks the checksum as it is read and fails with an {@link IOException} at its end,
     * instead of reporting end of stream, if the snapshot is damaged. The caller closes it.
     *
     * @param index the snapshot's last included index
     * @return the state machine's bytes
     * @throws IOException the snapshot is missing or cannot be read
     */
    InputStream openState(long index) throws IOException;

    /**
     * Writes a new snapshot by running {@code writer} on the calling thread, durably (see the class
     * comment), then deletes all but the newest {@code retain} snapshots.
     *
     * @param meta   what the snapshot covers
     * @param writer writes the state machine's bytes
     * @param retain how many snapshots to keep, this one included
     * @throws IOException the snapshot could not be made durable; none was saved then
     */
    void save(SnapshotMeta meta, SnapshotWriter writer, int retain) throws IOException;

    /**
     * The size in bytes of the snapshot at {@code index}.
     *
     * @param index the snapshot's last included index
     * @return its size, header and checksum included
     * @throws IOException it is missing
     */
    long size(long index) throws IOException;

    /**
     * Up to {@code maxBytes} bytes of the snapshot at {@code index} from {@code offset} (fewer at its end).
     *
     * @param index    the snapshot's last included index
     * @param offset   where to start
     * @param maxBytes the most to return
     * @return the bytes
     * @throws IOException it is missing or cannot be read
     */
    byte[] read(long index, long offset, int maxBytes) throws IOException;

    /**
     * Starts receiving the snapshot ({@code index}, {@code term}) from a leader, from offset 0,
     * discarding any partial one (Figure 13, receiver rule 2).
     *
     * @param index the snapshot's last included index
     * @param term  the term of that entry
     * @return where the chunks go
     * @throws IOException the medium failed
     */
    Incoming receive(long index, long term) throws IOException;

    /** A snapshot being received, chunk by chunk, in order. */
    interface Incoming {
        /**
         * Appends a chunk; {@code offset} must be the number of bytes written so far (rule 3).
         *
         * @param offset the chunk's offset in the snapshot
         * @param data   the chunk
         * @throws IOException the write failed, or the offset is wrong
         */
        void write(long offset, byte[] data) throws IOException;

        /**
         * Checks the whole file (checksum, and a header naming the expected index and term), makes it
         * durable under its snapshot name and deletes every snapshot with a smaller index (rule 5).
         *
         * @return what the snapshot is
         * @throws IOException if it is damaged or cannot be saved; nothing is installed then
         */
        SnapshotMeta complete() throws IOException;

        /** Discards the partial snapshot. */
        void abort();
    }

    @Override
    void close() throws IOException;
}
