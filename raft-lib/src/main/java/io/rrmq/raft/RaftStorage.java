package io.rrmq.raft;

import java.io.IOException;
import java.util.List;

/**
 * Stable storage for Figure 2's persistent state: the {@link HardState} and the log. Snapshots are
 * kept apart, in a {@link SnapshotStore}; after one is durable the log prefix it covers may be
 * dropped with {@link #compactPrefix}, so the log may start at any index.
 *
 * <p><b>Contract.</b> Writes may be buffered; everything written before a call to {@link #sync()}
 * is durable (survives a crash of the process and of the machine) once that call returns. The
 * runtime calls nothing but {@link #load()} before the first write, and calls every method from one
 * storage thread, so implementations need no locking.
 *
 * <p><b>Crash consistency.</b> After a crash, {@link #load()} returns a state in which the hard state
 * is one that was saved (never a mix of two) and the log is a prefix of what was appended, at least
 * as long as what the last completed {@link #sync()} covered.
 */
public interface RaftStorage extends AutoCloseable {

    /**
     * What a node finds on disk when it starts: the hard state, and the log, contiguous, starting at
     * any index (after a compaction; at 1 otherwise).
     *
     * @param hardState the term and vote saved last
     * @param entries   the log, contiguous
     */
    record Stored(HardState hardState, List<LogEntry> entries) {
        /** What an empty store holds. */
        public static final Stored EMPTY = new Stored(HardState.INITIAL, List.of());
    }

    /**
     * Reads what survived the last run; an empty store gives {@link Stored#EMPTY}.
     *
     * @return the stored state
     * @throws IOException the medium failed, or the stored state is damaged beyond a torn tail
     */
    Stored load() throws IOException;

    /**
     * Replaces the hard state.
     *
     * @param state the new hard state
     * @throws IOException the write failed: the node stops
     */
    void saveHardState(HardState state) throws IOException;

    /**
     * Removes every entry with index {@code >= fromIndex} (a follower's conflicting suffix, Figure 2,
     * AppendEntries receiver rule 3). Removing nothing is allowed.
     *
     * @param fromIndex the first index to remove
     * @throws IOException the write failed: the node stops
     */
    void truncateSuffix(long fromIndex) throws IOException;

    /**
     * Appends entries whose indexes continue the log without a gap.
     *
     * @param entries the entries, in index order
     * @throws IOException the write failed, or the entries do not continue the log: the node stops
     */
    void append(List<LogEntry> entries) throws IOException;

    /**
     * Allows storage to drop every entry with index {@code <= upToIndex}, because a durable snapshot
     * covers them. It may keep some (a file implementation drops whole files only) and need not make
     * the removal durable: after a crash, entries below the snapshot are ignored. Dropping nothing is
     * allowed.
     *
     * @param upToIndex the last index a durable snapshot covers
     * @throws IOException the medium failed
     */
    void compactPrefix(long upToIndex) throws IOException;

    /**
     * Whether the medium is so low on free space that the node should refuse new commands, checked
     * by the storage thread a few times a second: a description of the shortage (for logs and status),
     * or {@code null} when there is room. Refusing early keeps a reserve for what must still be
     * written (entries already accepted, votes, snapshots that free space), so that a write never
     * fails for lack of space in the first place.
     *
     * @return the shortage, or {@code null}
     */
    default String lowOnSpace() {
        return null;
    }

    /**
     * Makes everything written so far durable.
     *
     * @throws IOException the sync failed: the node stops, since the page cache is in an unknown state
     */
    void sync() throws IOException;

    @Override
    void close() throws IOException;
}
