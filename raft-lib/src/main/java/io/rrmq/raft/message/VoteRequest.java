package io.rrmq.raft.message;

/**
 * RequestVote (Figure 2), or its pre-vote form (thesis §9.6) when {@code preVote} is set. A pre-vote
 * carries the term the sender would campaign in, and changes nothing on the receiver.
 */
public record VoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm,
                          boolean preVote) implements RaftMessage {
}
