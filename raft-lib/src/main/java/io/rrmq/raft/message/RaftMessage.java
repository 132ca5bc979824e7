package io.rrmq.raft.message;

/**
 * A message between two members of a Raft group. Every message carries its sender's current term
 * (Figure 2, "Rules for all servers").
 */
public sealed interface RaftMessage
        permits VoteRequest, VoteResponse, AppendEntries, AppendEntriesResponse, InstallSnapshot,
                InstallSnapshotResponse, TimeoutNow, ReadIndexRequest, ReadIndexResponse {
    /** {@return the sender's id} */
    int from();

    /** {@return the addressee's id} */
    int to();

    /** {@return the sender's current term} */
    long term();
}
