package io.rrmq.raft;

/** Too many proposals are pending; the command was not appended. Retry after a short pause. */
public final class OverloadedException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** @param pending the proposals pending when this one was refused */
    public OverloadedException(int pending) {
        super("too many pending proposals: " + pending);
    }
}
