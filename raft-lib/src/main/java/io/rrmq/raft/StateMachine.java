package io.rrmq.raft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated application: a deterministic function from committed commands to results.
 *
 * <p><b>Threading.</b> The Raft runtime calls every method from its single event-loop thread, one
 * call at a time, so implementations need no locking of their own. Calls must not block on I/O
 * other than the stream handed to them. The one exception is the {@link SnapshotWriter} returned by
 * {@link #takeSnapshot}, which runs on a snapshot thread while the loop goes on applying entries.
 * A machine may keep its state in local files that it reads and writes (without forcing them) as it
 * applies: the runtime makes nothing of them durable, so after a restart the machine must rebuild
 * them from {@link #restoreSnapshot} and the entries applied after it.
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
     * Answers a read-only {@code query} from the current state, for {@link RaftNode#query}: called on
     * the event loop between two {@link #apply} calls, once the state is recent enough for a
     * linearizable read. Must not change the state. The default refuses every query.
     *
     * @param query the bytes a client asked with, unchanged
     * @return the answer handed to the caller's future; never {@code null}
     * @throws UnsupportedOperationException if this state machine answers no queries
     * @throws IllegalArgumentException if {@code query} is malformed
     */
    default byte[] query(byte[] query) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " answers no queries");
    }

    /**
     * Writes the whole current state to {@code out} so that {@link #restoreSnapshot} on a fresh
     * instance reproduces it exactly. Does not close the stream.
     *
     * @param out where the state goes
     * @throws IOException the stream failed; the snapshot is abandoned
     */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Captures the current state for a snapshot, on the event loop, between two {@link #apply}
     * calls. The loop is stalled while this runs, so it should only take a cheap consistent view
     * (copy references, not bytes); the returned writer serializes it later on another thread.
     *
     * <p>The default serializes the whole state into memory here, with {@link #writeSnapshot}:
     * correct for any machine, and fine for small ones. Machines with large state override it.
     *
     * @return the writer that serializes the captured view, on the snapshot thread
     * @throws IOException the capture failed; no snapshot is taken this time
     */
    default SnapshotWriter takeSnapshot() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        writeSnapshot(buffer);
        byte[] bytes = buffer.toByteArray();
        return out -> {
            out.write(bytes);
            out.flush();
        };
    }

    /**
     * Replaces the whole current state with the one in {@code in}, written by
     * {@link #writeSnapshot}. Does not close the stream.
     *
     * @param in the state, as {@link #writeSnapshot} wrote it
     * @throws IOException the stream failed or the snapshot is damaged; the node does not start
     */
    void restoreSnapshot(InputStream in) throws IOException;
}
