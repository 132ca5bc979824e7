package io.rrmq.raft.message;

import io.rrmq.raft.LogEntry;
import java.util.List;

/**
 * AppendEntries (Figure 2). With no entries it is a heartbeat that still runs the consistency check
 * and carries the commit index.
 */
public record AppendEntries(int from, int to, long term, long prevLogIndex, long prevLogTerm,
                            long leaderCommit, List<LogEntry> entries) implements RaftMessage {
    public AppendEntries {
        entries = List.copyOf(entries);
    }

    /** Index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }
}
