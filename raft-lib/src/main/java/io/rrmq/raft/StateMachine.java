package io.rrmq.raft;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated application: a deterministic function from committed commands to results.
 *
 * <p><b>Threading.</b> The Raft runtime calls every method from its single event-loop thread, one
 * call at a time, so implementations need no locking of their own. Calls must not block on I/O
 * other than the stream handed to them.
 *
 * <p><b>Determinism.</b> Every node applies the same commands in the same order and must reach the
 * same state and return the same results: an implementation may read nothing but its own state and
 * the arguments (no clock, no randomness, no environment).
 */
public interface StateMachine {

    /**
     * Applies one committed command. Called exactly once per committed application entry, in log
     * order, with strictly increasing indexes (gaps are entries the engine uses internally).
     *
     * @param index   the log index of the entry; unique and increasing
     * @param command the bytes a client proposed, unchanged
     * @return the result handed to the proposing client's future; never {@code null}
     *         (use an empty array)
     */
    byte[] apply(long index, byte[] command);

    /**
     * Writes the whole current state to {@code out} so that {@link #restoreSnapshot} on a fresh
     * instance reproduces it exactly. Does not close the stream.
     */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Replaces the whole current state with the one in {@code in}, written by
     * {@link #writeSnapshot}. Does not close the stream.
     */
    void restoreSnapshot(InputStream in) throws IOException;
}
