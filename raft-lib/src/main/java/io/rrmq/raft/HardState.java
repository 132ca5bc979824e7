package io.rrmq.raft;

/**
 * The part of Figure 2's persistent state that is not the log: the latest term this node has seen
 * and whom it voted for in that term.
 *
 * @param currentTerm latest term seen (0 on first boot)
 * @param votedFor    the candidate voted for in {@code currentTerm}, or {@link #NO_VOTE}
 */
public record HardState(long currentTerm, int votedFor) {
    /** {@code votedFor} when no vote was cast in the current term. */
    public static final int NO_VOTE = -1;

    /** The state of a node that has never run. */
    public static final HardState INITIAL = new HardState(0, NO_VOTE);

    /**
     * Checks the term.
     *
     * @param currentTerm latest term seen, not negative
     * @param votedFor    the candidate voted for in {@code currentTerm}, or {@link #NO_VOTE}
     */
    public HardState {
        if (currentTerm < 0) {
            throw new IllegalArgumentException("negative term " + currentTerm);
        }
    }
}
