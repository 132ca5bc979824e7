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
 * @param configuration the group's configuration in effect on this node (the newest in its log)
 */
public record RaftStatus(int id, Role role, long term, int leaderId, long commitIndex,
                         long lastApplied, long lastLogIndex, Configuration configuration) {
    /** {@code leaderId} when no leader is known. */
    public static final int NO_LEADER = -1;

    /** {@return whether this node votes: false for a learner, a node waiting to be added, or a removed one} */
    public boolean voter() {
        return configuration.isVoter(id);
    }
}
