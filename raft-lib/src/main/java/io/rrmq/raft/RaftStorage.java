package io.rrmq.raft;

import java.io.IOException;
import java.util.List;

/**
 * Stable storage for Figure 2's persistent state: the {@link HardState} and the log.
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

    /** What a node finds on disk when it starts. */
    record Stored(HardState hardState, List<LogEntry> entries) {
        public static final Stored EMPTY = new Stored(HardState.INITIAL, List.of());
    }

    /** Reads what survived the last run; an empty store gives {@link Stored#EMPTY}. */
    Stored load() throws IOException;

    /** Replaces the hard state. */
    void saveHardState(HardState state) throws IOException;

    /**
     * Removes every entry with index {@code >= fromIndex} (a follower's conflicting suffix, Figure 2,
     * AppendEntries receiver rule 3). Removing nothing is allowed.
     */
    void truncateSuffix(long fromIndex) throws IOException;

    /** Appends entries whose indexes continue the log without a gap. */
    void append(List<LogEntry> entries) throws IOException;

    /** Makes everything written so far durable. */
    void sync() throws IOException;

    @Override
    void close() throws IOException;
}
