package io.rrmq.raft.message;

/**
 * The answer to an {@link InstallSnapshot}: Figure 13's {@code term}, plus what lets the leader
 * drive the transfer (one answer per chunk written) and resume it after a lost message or a restart.
 *
 * @param lastIncludedIndex the snapshot this answers for
 * @param bytesStored       how many bytes of it the follower holds, contiguous from offset 0: the
 *                          offset the leader should send next (0 restarts the transfer)
 * @param complete          the follower now holds everything up to {@code lastIncludedIndex} (it
 *                          installed the snapshot, or already had those entries committed): the
 *                          leader may go on with AppendEntries from {@code lastIncludedIndex + 1}
 */
public record InstallSnapshotResponse(int from, int to, long term, long lastIncludedIndex, long bytesStored,
                                      boolean complete) implements RaftMessage {
}
