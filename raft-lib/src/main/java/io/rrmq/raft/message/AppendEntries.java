package io.rrmq.raft.message;

import io.rrmq.raft.LogEntry;
import java.util.List;

/**
 * AppendEntries (Figure 2). With no entries it is a heartbeat that still runs the consistency check
 * and carries the commit index.
 *
 * @param readContext the leader's newest read round (thesis §6.4): the follower echoes it in its
 *                    answer, which tells the leader that this follower still took it for the leader
 *                    after the round began; 0 when none
 */
public record AppendEntries(int from, int to, long term, long prevLogIndex, long prevLogTerm,
                            long leaderCommit, List<LogEntry> entries, long readContext) implements RaftMessage {
    /**
     * Freezes the entries.
     *
     * @param from         the leader
     * @param to           the follower
     * @param term         the leader's term
     * @param prevLogIndex index of the entry just before the new ones
     * @param prevLogTerm  its term
     * @param leaderCommit the leader's commit index
     * @param entries      the new entries; empty for a heartbeat
     * @param readContext  the leader's read round this message belongs to (echoed back); 0 for none
     */
    public AppendEntries {
        entries = List.copyOf(entries);
    }

    /**
     * Without a read round.
     *
     * @param from         the leader
     * @param to           the follower
     * @param term         the leader's term
     * @param prevLogIndex index of the entry just before the new ones
     * @param prevLogTerm  its term
     * @param leaderCommit the leader's commit index
     * @param entries      the new entries; empty for a heartbeat
     */
    public AppendEntries(int from, int to, long term, long prevLogIndex, long prevLogTerm, long leaderCommit,
                         List<LogEntry> entries) {
        this(from, to, term, prevLogIndex, prevLogTerm, leaderCommit, entries, 0);
    }

    /** {@return the index of the last entry carried, or {@code prevLogIndex} for a heartbeat} */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }

    /**
     * Whether this message could come from a correct leader: the entries continue from
     * {@code prevLogIndex} without a gap, in non-decreasing terms no later than the leader's. A
     * receiver drops anything else rather than let a corrupt or forged message into its log.
     *
     * @return true if well formed
     */
    public boolean isWellFormed() {
        if (prevLogIndex < 0 || prevLogTerm < 0 || prevLogTerm > term) {
            return false;
        }
        long expected = prevLogIndex + 1;
        long lastTerm = prevLogTerm;
        for (LogEntry e : entries) {
            if (e.index() != expected || e.term() < lastTerm || e.term() > term) {
                return false;
            }
            expected++;
            lastTerm = e.term();
        }
        return true;
    }
}
