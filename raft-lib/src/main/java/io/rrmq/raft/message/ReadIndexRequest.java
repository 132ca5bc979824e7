package io.rrmq.raft.message;

/**
 * A follower asks the leader for a read index (thesis §6.4.1, "follower reads"): the leader answers
 * with a {@link ReadIndexResponse} once it has confirmed its leadership for a read index of its own.
 *
 * @param from      the follower
 * @param to        the leader it knows
 * @param term      the follower's current term
 * @param requestId the follower's id for the read, echoed in the answer
 */
public record ReadIndexRequest(int from, int to, long term, long requestId) implements RaftMessage {
}
