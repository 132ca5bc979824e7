package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.RaftMessage;
import java.util.List;

/**
 * What the core asks its runtime to do after a batch of inputs (etcd-io/raft's {@code Ready}).
 *
 * <p>The runtime must, in this order of effect:
 * <ol>
 *   <li>persist {@code hardState} (if not null) and {@code entries} (if any: first remove every
 *       stored entry with index {@code >= entries.get(0).index()}, then append them), and report
 *       {@link RaftCore#onPersisted(long)} with {@code persistSeq} once they are durable;</li>
 *   <li>send {@code messages}: those for which {@link #mustFollowPersistence} is true only after
 *       everything handed to storage so far (this ready's writes included) is durable — they announce
 *       a vote or an acknowledgement; the others may go at once;</li>
 *   <li>apply {@code committed} to the state machine, in order (these are durable on a majority
 *       already, so they need not wait for this node's own writes).</li>
 * </ol>
 *
 * @param hardState  the term and vote to persist, or {@code null} if unchanged
 * @param entries    log entries to write (a suffix that replaces what storage holds from its first index)
 * @param persistSeq sequence number of this write, or 0 if there is nothing to write
 * @param messages   messages to send
 * @param committed  newly committed entries to apply
 */
public record Ready(HardState hardState, List<LogEntry> entries, long persistSeq,
                   List<RaftMessage> messages, List<LogEntry> committed) {

    public boolean hasWrites() {
        return persistSeq != 0;
    }

    public boolean isEmpty() {
        return persistSeq == 0 && messages.isEmpty() && committed.isEmpty();
    }

    /**
     * Whether {@code message} may only be sent once this node's earlier writes are durable. Figure 2:
     * a server updates stable storage before responding to RPCs. A leader's AppendEntries and the
     * pre-vote messages promise nothing about this node's storage, so they go at once (the leader
     * writes its own log in parallel with replicating it, thesis §10.2.1).
     */
    public static boolean mustFollowPersistence(RaftMessage message) {
        if (message instanceof io.rrmq.raft.message.AppendEntries) {
            return false;
        }
        if (message instanceof io.rrmq.raft.message.VoteRequest r) {
            return !r.preVote();
        }
        if (message instanceof io.rrmq.raft.message.VoteResponse r) {
            return !r.preVote();
        }
        return true;
    }
}
