package io.rrmq.raft;

/**
 * Base of the failures with which a {@link RaftNode#propose} future completes. These are values
 * describing an outcome, not programming errors, so they carry no stack trace.
 */
public abstract class RaftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    protected RaftException(String message) {
        super(message, null, false, false);
    }
}
