package io.rrmq.raft;

/**
 * A consistent picture of one node, taken on its event loop.
 *
 * @param id           this node's id
 * @param role         current role
 * @param term         current term
 * @param leaderId     the leader this node knows for {@code term}, or {@code -1}
 * @param commitIndex  highest log index known committed
 * @param lastApplied  highest log index applied to the state machine
 * @param lastLogIndex index of the last entry in this node's log
 */
public record RaftStatus(int id, Role role, long term, int leaderId, long commitIndex,
                         long lastApplied, long lastLogIndex) {
    /** {@code leaderId} when no leader is known. */
    public static final int NO_LEADER = -1;
}
