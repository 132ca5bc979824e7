package io.rrmq.mq.store;

import java.io.UncheckedIOException;

/**
 * Where a {@code TopicStateMachine} keeps message bodies, so that the heap holds only a few numbers
 * per topic (head and tail positions) instead of every queued message.
 *
 * <p><b>Chains and positions.</b> The store is a set of append-only <i>chains</i>, one per topic,
 * numbered by the machine. A record is appended at the end of its chain and named by its
 * <i>position</i>; the next record of the chain starts at {@code position + HEADER_BYTES + length},
 * so a run of records can be walked from its first position alone ({@link Pin#cursor}). Positions are
 * local to one store: they never enter a result or a snapshot, so replicas whose stores were
 * rebuilt at different times still agree on every result.
 *
 * <p><b>Liveness.</b> Every appended record is live until {@link #release}d, exactly once, by the
 * machine (popped, acknowledged, or copied to a dead-letter topic). Space is reclaimed in whole
 * units (a file segment) once every record in it is released; a record that is released must not
 * be read again, except through a {@link Pin} taken before its release.
 *
 * <p><b>Durability.</b> None of its own: nothing is forced as records are appended. The Raft log and
 * the snapshots are the durable source; after a restart the machine either restores its snapshot
 * into a new, empty store, or, if its {@link MessageStores} keep checkpoints, opens the store that a
 * checkpoint of that snapshot froze; then the log is applied again.
 *
 * <p><b>Threads.</b> The applying thread calls every method of the store; a {@link Pin} it took
 * (with the {@link Cursor}s made from it) is used and closed on one other thread, the snapshot
 * thread, concurrently. I/O failures are thrown as {@link UncheckedIOException}: they stop
 * the Raft node, which is then rebuilt from its durable state.
 */
public interface MessageStore {
    /** Bytes before each record's body: its length and a CRC32C of the body. */
    int HEADER_BYTES = 8;

    /** Appends {@code body} at the end of {@code chain} (created on first use); returns its position. */
    long append(int chain, byte[] body);

    /** The body of the live record of {@code chain} at {@code position}. */
    byte[] read(int chain, long position);

    /** The record of {@code chain} at {@code position} is no longer referenced; called once per record. */
    void release(int chain, long position);

    /**
     * Keeps every record live now readable through the pin until it is closed, whatever is released
     * meanwhile: a snapshot reads its captured view through it on another thread while the machine
     * goes on appending and releasing.
     */
    Pin pin();

    /**
     * This store is no longer used by the machine (it was replaced by a restored one): its space is
     * freed once no {@link Pin} is open. No other method may be called afterwards, but open pins
     * stay readable until closed.
     */
    void discard();

    /** The position the next record appended to {@code chain} will have (0 for a new chain). */
    long tail(int chain);

    /** Reads consecutive records of a chain, in order. Not thread-safe; used by one thread. */
    interface Cursor {
        /** The body of the record at the current position; then moves to the next record. */
        byte[] next();
    }

    /**
     * See {@link #pin()}: reads the records that were live when it was taken. Used by one thread (not
     * necessarily the one that took it); closing is idempotent.
     */
    interface Pin extends AutoCloseable {
        /** The body of the record of {@code chain} at {@code position}, live when the pin was taken. */
        byte[] read(int chain, long position);

        /** A cursor over records of {@code chain} from {@code position} on, all live when the pin was taken. */
        Cursor cursor(int chain, long position);

        /** Where the store's records were when the pin was taken (for a checkpoint, {@link MessageStores#checkpoint}). */
        StoreLayout layout();

        @Override
        void close();
    }

    /** The length of the record after a body of {@code bodyLength} bytes, header included. */
    static long recordBytes(int bodyLength) {
        return HEADER_BYTES + (long) bodyLength;
    }

    /** An I/O failure of the store, unchecked: it stops the applying thread (see the class comment). */
    static UncheckedIOException failure(String what, java.io.IOException cause) {
        return new UncheckedIOException(what + ": " + cause.getMessage(), cause);
    }
}
