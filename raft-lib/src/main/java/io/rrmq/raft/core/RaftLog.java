package io.rrmq.raft.core;

import io.rrmq.raft.LogEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The core's in-memory view of the replicated log, plus the bookkeeping of which suffix has not yet
 * been handed to storage. Indexes start at 1; index 0 is the empty prefix with term 0.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class RaftLog {
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /** Entries from this index on have not been handed to storage since they were (re)written. */
    private long firstUnpersisted;

    /** A log holding {@code stored}, all of it already persisted. */
    public RaftLog(List<LogEntry> stored) {
        long expected = 1;
        for (LogEntry e : stored) {
            if (e.index() != expected) {
                throw new IllegalArgumentException("stored log has a gap at " + expected);
            }
            expected++;
        }
        entries.addAll(stored);
        firstUnpersisted = lastIndex() + 1;
    }

    public long lastIndex() {
        return entries.size();
    }

    public long lastTerm() {
        return termAt(lastIndex());
    }

    /** Term of the entry at {@code index}; 0 for index 0; -1 if the log does not reach it. */
    public long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index < 0 || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - 1)).term();
    }

    public LogEntry entryAt(long index) {
        return entries.get((int) (index - 1));
    }

    /** Whether the log holds an entry at {@code index} with {@code term} (the consistency check). */
    public boolean matches(long index, long term) {
        return termAt(index) == term;
    }

    /**
     * Whether a log ending at ({@code lastIndex}, {@code lastTerm}) is at least as up-to-date as this
     * one (Raft paper §5.4.1): a later last term wins; with equal terms the longer log wins.
     */
    public boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
        long myLastTerm = lastTerm();
        return otherLastTerm > myLastTerm || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
    }

    public void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " after " + lastIndex());
        }
        entries.add(entry);
    }

    /** Removes every entry with index {@code >= fromIndex}. */
    public void truncateFrom(long fromIndex) {
        if (fromIndex <= lastIndex()) {
            entries.subList((int) (fromIndex - 1), entries.size()).clear();
            firstUnpersisted = Math.min(firstUnpersisted, fromIndex);
        }
    }

    /**
     * Entries from {@code fromIndex} to {@code toIndex} inclusive, at most {@code maxCount} of them and
     * about {@code maxBytes} of data (always at least one when the range is not empty). A view: copy
     * it before the log changes.
     */
    public List<LogEntry> slice(long fromIndex, long toIndex, int maxCount, long maxBytes) {
        if (fromIndex > toIndex) {
            return List.of();
        }
        long end = Math.min(toIndex, fromIndex + maxCount - 1);
        long bytes = 0;
        for (long i = fromIndex; i <= end; i++) {
            bytes += entryAt(i).data().length;
            if (bytes > maxBytes && i > fromIndex) {
                end = i - 1;
                break;
            }
        }
        return Collections.unmodifiableList(entries.subList((int) (fromIndex - 1), (int) end));
    }

    /** First index of the run of entries with {@code termAt(index)} that contains {@code index}. */
    public long firstIndexOfTermAt(long index) {
        long term = termAt(index);
        long i = index;
        while (i > 1 && termAt(i - 1) == term) {
            i--;
        }
        return i;
    }

    /** Last index at or below {@code atOrBelow} whose term is {@code term}, or 0 if none. */
    public long lastIndexOfTerm(long term, long atOrBelow) {
        for (long i = Math.min(atOrBelow, lastIndex()); i >= 1; i--) {
            long t = termAt(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return 0;
            }
        }
        return 0;
    }

    /** Hands out (copied) every entry not yet given to storage, and marks them given. */
    public List<LogEntry> takeUnpersisted() {
        if (firstUnpersisted > lastIndex()) {
            return List.of();
        }
        List<LogEntry> out = List.copyOf(entries.subList((int) (firstUnpersisted - 1), entries.size()));
        firstUnpersisted = lastIndex() + 1;
        return out;
    }
}
