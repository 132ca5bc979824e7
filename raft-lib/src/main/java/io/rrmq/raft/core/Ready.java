package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.RaftMessage;
import java.util.List;

/**
 * What the core asks its runtime to do after a batch of inputs (etcd-io/raft's {@code Ready}).
 *
 * <p>The runtime must, in this order of effect:
 * <ol>
 *   <li>persist, in this order: if {@link Snapshots#discardLog}, remove every stored entry (a
 *       snapshot replaced the log, Figure 13 receiver rule 7); {@code hardState} (if not null);
 *       {@code entries} (if any: first remove every stored entry with index
 *       {@code >= entries.get(0).index()}, then append them); if {@link Snapshots#compactUpTo} is
 *       positive, let storage drop entries up to it (a durable snapshot covers them). Report
 *       {@link RaftCore#onPersisted(long)} with {@code persistSeq} once they are durable;</li>
 *   <li>send {@code messages}: those for which {@link #mustFollowPersistence} is true only after
 *       everything handed to storage so far (this ready's writes included) is durable — they announce
 *       a vote or an acknowledgement; the others may go at once;</li>
 *   <li>if {@link Snapshots#restoreIndex} is positive, reset the state machine from the durable
 *       snapshot at that index (receiver rule 8) before applying anything;</li>
 *   <li>apply {@code committed} to the state machine, in order (these are durable on a majority
 *       already, so they need not wait for this node's own writes);</li>
 *   <li>serve the reads of {@link Reads#ready} once the state machine has applied up to their index,
 *       and fail those of {@link Reads#failed};</li>
 *   <li>do the snapshot I/O of {@code snapshots} off the event loop: send the chunks of
 *       {@link Snapshots#chunksToSend}, and store the chunks of {@link Snapshots#chunksToStore} in
 *       order, reporting each with {@link RaftCore#onSnapshotChunkStored}.</li>
 * </ol>
 *
 * @param hardState  the term and vote to persist, or {@code null} if unchanged
 * @param entries    log entries to write (a suffix that replaces what storage holds from its first index)
 * @param persistSeq sequence number of this write, or 0 if there is nothing to write
 * @param messages   messages to send
 * @param committed  newly committed entries to apply
 * @param snapshots  what snapshots ask of storage, the state machine and the snapshot thread
 * @param reads      linearizable reads confirmed or failed (thesis §6.4)
 */
public record Ready(HardState hardState, List<LogEntry> entries, long persistSeq,
                   List<RaftMessage> messages, List<LogEntry> committed, Snapshots snapshots, Reads reads) {

    /** Without reads. */
    public Ready(HardState hardState, List<LogEntry> entries, long persistSeq, List<RaftMessage> messages,
                 List<LogEntry> committed, Snapshots snapshots) {
        this(hardState, entries, persistSeq, messages, committed, snapshots, Reads.NONE);
    }

    /**
     * A read {@link RaftCore#readIndex} asked for may be served once the state machine has applied
     * {@code index}: what it then holds is at least as new as every write acknowledged before the
     * read was asked for (thesis §6.4).
     */
    public record ReadState(long requestId, long index) {
    }

    /**
     * A read that cannot be served here: this node is not the leader, lost its leadership, or the
     * leader it asked did not answer. Nothing was read; ask {@code leaderHint} (-1: unknown).
     */
    public record FailedRead(long requestId, int leaderHint) {
    }

    /** The read part of a {@link Ready}. */
    public record Reads(List<ReadState> ready, List<FailedRead> failed) {
        public static final Reads NONE = new Reads(List.of(), List.of());

        public boolean isEmpty() {
            return ready.isEmpty() && failed.isEmpty();
        }
    }

    /**
     * The snapshot part of a {@link Ready}.
     *
     * @param compactUpTo   storage may drop entries up to this index (0: nothing to compact)
     * @param discardLog    storage must drop every entry before writing this ready's entries
     * @param restoreIndex  reset the state machine from the snapshot at this index (0: none)
     * @param chunksToSend  chunks of this leader's snapshot to read and send
     * @param chunksToStore chunks of a leader's snapshot to write, in order
     */
    public record Snapshots(long compactUpTo, boolean discardLog, long restoreIndex,
                            List<SnapshotChunkRequest> chunksToSend, List<InstallSnapshot> chunksToStore) {
        public static final Snapshots NONE = new Snapshots(0, false, 0, List.of(), List.of());

        public boolean isEmpty() {
            return compactUpTo == 0 && !discardLog && restoreIndex == 0 && chunksToSend.isEmpty()
                    && chunksToStore.isEmpty();
        }

        /** Whether storage has something to do for it. */
        public boolean touchesLog() {
            return compactUpTo > 0 || discardLog;
        }
    }

    public boolean hasWrites() {
        return persistSeq != 0;
    }

    public boolean isEmpty() {
        return persistSeq == 0 && messages.isEmpty() && committed.isEmpty() && snapshots.isEmpty() && reads.isEmpty();
    }

    /**
     * Whether {@code message} may only be sent once this node's earlier writes are durable. Figure 2:
     * a server updates stable storage before responding to RPCs. A leader's AppendEntries and the
     * pre-vote and ReadIndex messages promise nothing about this node's storage, so they go at once (the leader
     * writes its own log in parallel with replicating it, thesis §10.2.1).
     */
    public static boolean mustFollowPersistence(RaftMessage message) {
        if (message instanceof io.rrmq.raft.message.AppendEntries
                || message instanceof io.rrmq.raft.message.ReadIndexRequest
                || message instanceof io.rrmq.raft.message.ReadIndexResponse) {
            return false; // read requests and their answers promise nothing about this node's storage
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
