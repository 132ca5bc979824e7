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

    /** An ordinary request, not part of a leadership transfer. */
    public VoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote) {
        this(from, to, term, lastLogIndex, lastLogTerm, preVote, false);
    }
}
