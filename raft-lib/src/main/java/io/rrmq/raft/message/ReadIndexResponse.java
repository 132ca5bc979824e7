package io.rrmq.raft.message;

/**
 * The leader's answer to a {@link ReadIndexRequest}.
 *
 * @param from       the (former) leader
 * @param to         the follower that asked
 * @param term       the sender's current term
 * @param requestId  the follower's id for the read
 * @param readIndex  on success: the follower may serve the read once it has applied this index
 * @param success    false if the sender is not (or no longer) the leader: the read failed
 * @param leaderHint on failure: the leader the sender knows of, or -1
 */
public record ReadIndexResponse(int from, int to, long term, long requestId, long readIndex, boolean success,
                                int leaderHint) implements RaftMessage {

    /**
     * The read may be served once the follower has applied {@code readIndex}.
     *
     * @param from      the leader
     * @param to        the follower that asked
     * @param term      the leader's term
     * @param requestId the follower's id for the read
     * @param readIndex the leader's commit index, confirmed by a heartbeat round
     * @return the answer
     */
    public static ReadIndexResponse granted(int from, int to, long term, long requestId, long readIndex) {
        return new ReadIndexResponse(from, to, term, requestId, readIndex, true, from);
    }

    /**
     * The sender is not the leader (any more): the read failed; {@code leaderHint} may know better.
     *
     * @param from       the node asked
     * @param to         the follower that asked
     * @param term       the sender's term
     * @param requestId  the follower's id for the read
     * @param leaderHint the leader the sender knows of, or -1
     * @return the answer
     */
    public static ReadIndexResponse refused(int from, int to, long term, long requestId, int leaderHint) {
        return new ReadIndexResponse(from, to, term, requestId, 0, false, leaderHint);
    }
}
