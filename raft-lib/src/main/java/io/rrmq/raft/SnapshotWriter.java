package io.rrmq.raft;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A consistent view of a {@link StateMachine}'s state, captured by {@link StateMachine#takeSnapshot}
 * on the event loop, serialized later on another thread.
 *
 * <p><b>Threading.</b> {@link #writeTo} runs on the runtime's snapshot thread, concurrently with
 * {@link StateMachine#apply} on the event loop, so the view must share nothing mutable with the live
 * state machine (immutable values such as {@code String}s may be shared). It is called at most once.
 */
@FunctionalInterface
public interface SnapshotWriter {

    /**
     * Writes the captured state in the form {@link StateMachine#restoreSnapshot} reads. Does not
     * close {@code out}; flushes it before returning.
     *
     * @param out where the state goes
     * @throws IOException the stream failed; the snapshot is abandoned
     */
    void writeTo(OutputStream out) throws IOException;
}
