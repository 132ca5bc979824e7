package io.rrmq.raft;

/**
 * The node's disk is below its free-space reserve, so it accepts no new commands (nothing was
 * appended). It resumes by itself once space returns (for example after a snapshot let it delete
 * log segments, or an operator freed space); retry later.
 */
public final class StorageFullException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** @param reason the shortage, as {@link RaftStorage#lowOnSpace()} described it */
    public StorageFullException(String reason) {
        super(reason);
    }
}
