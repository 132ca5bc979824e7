package io.rrmq.raft;

/**
 * The command was appended, but this node stopped being leader before it learned whether the entry
 * committed. The command may or may not take effect: the outcome is unknown.
 */
public final class LeadershipLostException extends RaftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param index the index the command was appended at
     * @param term  the term it was appended in
     */
    public LeadershipLostException(long index, long term) {
        super("leadership lost before entry " + index + "@" + term + " was known to commit");
    }
}
