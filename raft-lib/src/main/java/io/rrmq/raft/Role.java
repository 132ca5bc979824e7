package io.rrmq.raft;

/** A node's role in its current term (Raft paper, Figure 4; pre-vote from thesis §9.6). */
public enum Role {
    /** Follows a leader, or waits for one. */
    FOLLOWER("Follower"),
    /** Asking peers whether it could win, without disturbing anyone's term (thesis §9.6). */
    PRE_CANDIDATE("Candidate"),
    /** Campaigning for votes in a new term. */
    CANDIDATE("Candidate"),
    /** Elected for the current term. */
    LEADER("Leader");

    private final String displayName;

    Role(String displayName) {
        this.displayName = displayName;
    }

    /** {@return the name shown to clients: a pre-candidate reports itself as {@code Candidate}} */
    public String displayName() {
        return displayName;
    }
}
