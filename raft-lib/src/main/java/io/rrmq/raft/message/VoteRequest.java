package io.rrmq.raft.message;

/**
 * RequestVote (Figure 2), or its pre-vote form (thesis §9.6) when {@code preVote} is set. A pre-vote
 * carries the term the sender would campaign in, and changes nothing on the receiver.
 *
 * @param transfer the candidate campaigns because the leader handed leadership to it
 *                 ({@link TimeoutNow}): receivers grant it even while they still hear that leader
 *                 (thesis §3.10), which they otherwise refuse to disrupt
 */
public record VoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm,
                          boolean preVote, boolean transfer) implements RaftMessage {

    /**
     * An ordinary request, not part of a leadership transfer.
     *
     * @param from         the candidate
     * @param to           the voter asked
     * @param term         the candidate's term (for a pre-vote, the term it would campaign in)
     * @param lastLogIndex index of the candidate's last log entry
     * @param lastLogTerm  term of that entry
     * @param preVote      whether this is a pre-vote
     */
    public VoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote) {
        this(from, to, term, lastLogIndex, lastLogTerm, preVote, false);
    }
}
