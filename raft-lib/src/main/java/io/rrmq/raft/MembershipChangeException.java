package io.rrmq.raft;

/**
 * A membership change or leadership transfer was refused or did not finish; the message says why.
 * Nothing was appended unless the message says the outcome is unknown.
 */
public final class MembershipChangeException extends RaftException {
    private static final long serialVersionUID = 1L;
    /** Whether the same request may succeed later. */
    private final boolean retryable;

    /**
     * @param message   why
     * @param retryable the same request may succeed later without any other change (another change
     *                  is still in progress, the leader has not committed an entry of its term yet)
     */
    public MembershipChangeException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** {@return whether the same request may succeed if simply tried again a little later} */
    public boolean retryable() {
        return retryable;
    }
}
