package io.rrmq.raft.message;

/** The answer to a {@link VoteRequest}; {@code preVote} echoes the request's kind. */
public record VoteResponse(int from, int to, long term, boolean granted, boolean preVote)
        implements RaftMessage {
}
