package io.rrmq.raft.message;

/**
 * Leadership transfer (thesis §3.10): the leader, having brought the receiver's log up to date with
 * its own, asks it to campaign at once, without waiting for its election timeout or a pre-vote.
 */
public record TimeoutNow(int from, int to, long term) implements RaftMessage {
}
