package io.rrmq.raft.testkit;

/**
 * A client command accepted by a node that believed itself leader.
 *
 * @param id      unique per run, in proposal order
 * @param client  the workload's client that issued it
 * @param command the bytes proposed
 * @param node    the proposing node
 * @param term    the term it was appended in
 * @param index   the log index it was appended at
 */
public record Proposal(long id, int client, byte[] command, int node, long term, long index) {
}
