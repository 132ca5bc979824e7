package io.rrmq.raft;

/** The node is not the leader; the command was not appended and will never take effect. */
public final class NotLeaderException extends RaftException {
    private static final long serialVersionUID = 1L;
    /** The leader the refusing node knew, or {@link RaftStatus#NO_LEADER}. */
    private final int leaderHint;

    /** @param leaderHint the leader this node knows, or {@link RaftStatus#NO_LEADER} */
    public NotLeaderException(int leaderHint) {
        super(leaderHint == RaftStatus.NO_LEADER ? "no leader known" : "not the leader; leader is " + leaderHint);
        this.leaderHint = leaderHint;
    }

    /** {@return the leader this node knows of, or {@link RaftStatus#NO_LEADER}} */
    public int leaderHint() {
        return leaderHint;
    }
}
