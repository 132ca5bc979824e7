package io.rrmq.raft.core;

import io.rrmq.raft.LogEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The core's in-memory view of the replicated log, plus the bookkeeping of which suffix has not yet
 * been handed to storage. Indexes start at 1; index 0 is the empty prefix with term 0.
 *
 * <p>The log may start after a <i>snapshot base</i> ({@link #snapshotIndex()}, {@link #snapshotTerm()}):
 * the entries up to the base were compacted away (Raft paper §7) and only their last position is
 * remembered, so {@link #termAt} still answers for the base, and answers -1 (unknown) below it.
 * Without a snapshot the base is (0, 0).
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class RaftLog {
    /** Entries {@code snapshotIndex + 1 ..}, in order. */
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotTerm;
    /** Entries from this index on have not been handed to storage since they were (re)written. */
    private long firstUnpersisted;

    /** A log holding {@code stored} (contiguous from index 1), all of it already persisted. */
    public RaftLog(List<LogEntry> stored) {
        this(0, 0, stored);
    }

    /**
     * A log whose prefix up to ({@code snapshotIndex}, {@code snapshotTerm}) is a snapshot, followed
     * by {@code stored} (contiguous from {@code snapshotIndex + 1}), all of it already persisted.
     */
    public RaftLog(long snapshotIndex, long snapshotTerm, List<LogEntry> stored) {
        if (snapshotIndex < 0 || snapshotTerm < 0 || (snapshotIndex == 0) != (snapshotTerm == 0)) {
            throw new IllegalArgumentException("bad snapshot base " + snapshotIndex + "@" + snapshotTerm);
        }
        long expected = snapshotIndex + 1;
        for (LogEntry e : stored) {
            if (e.index() != expected) {
                throw new IllegalArgumentException("stored log has a gap at " + expected);
            }
            expected++;
        }
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        entries.addAll(stored);
        firstUnpersisted = lastIndex() + 1;
    }

    /** Index of the last entry replaced by a snapshot; 0 if none. */
    public long snapshotIndex() {
        return snapshotIndex;
    }

    /** Term of {@link #snapshotIndex()}; 0 if none. */
    public long snapshotTerm() {
        return snapshotTerm;
    }

    /** The first index whose entry the log still holds (it may be past {@link #lastIndex()}). */
    public long firstIndex() {
        return snapshotIndex + 1;
    }

    public long lastIndex() {
        return snapshotIndex + entries.size();
    }

    public long lastTerm() {
        return termAt(lastIndex());
    }

    /**
     * Term of the entry at {@code index}: 0 for index 0, the snapshot term for the snapshot base; -1
     * if the log does not reach it or it was compacted away.
     */
    public long termAt(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get(position(index)).term();
    }

    /** The entry at {@code index}, which must be in {@code firstIndex()..lastIndex()}. */
    public LogEntry entryAt(long index) {
        if (index <= snapshotIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException("entry " + index + " not in " + this);
        }
        return entries.get(position(index));
    }

    private int position(long index) {
        return (int) (index - snapshotIndex - 1);
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

    /** Removes every entry with index {@code >= fromIndex}, which must be past the snapshot base. */
    public void truncateFrom(long fromIndex) {
        if (fromIndex <= snapshotIndex) {
            throw new IllegalStateException("cannot truncate from " + fromIndex + ": entries up to "
                    + snapshotIndex + " are in a snapshot");
        }
        if (fromIndex <= lastIndex()) {
            entries.subList(position(fromIndex), entries.size()).clear();
            firstUnpersisted = Math.min(firstUnpersisted, fromIndex);
        }
    }

    /**
     * Drops the entries up to {@code index} (which the log holds), making it the snapshot base; the
     * entries after it stay. Does nothing if {@code index} is not past the current base.
     */
    public void compactTo(long index) {
        if (index <= snapshotIndex) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("cannot compact to " + index + " past the last index "
                    + lastIndex());
        }
        long term = termAt(index);
        entries.subList(0, position(index) + 1).clear();
        snapshotIndex = index;
        snapshotTerm = term;
        // Entries covered by a durable snapshot need not reach the log any more.
        firstUnpersisted = Math.max(firstUnpersisted, index + 1);
    }

    /** The first index not yet handed to storage; {@code lastIndex() + 1} when all were. */
    public long firstUnpersistedIndex() {
        return firstUnpersisted;
    }

    /** Discards every entry and starts the log after a snapshot at ({@code index}, {@code term}). */
    public void resetTo(long index, long term) {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("bad snapshot base " + index + "@" + term);
        }
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        firstUnpersisted = index + 1;
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
        return Collections.unmodifiableList(entries.subList(position(fromIndex), position(end) + 1));
    }

    /**
     * Where the log kept behind a snapshot at {@code index} starts: the entry at {@code index} and up
     * to {@code maxCount} before it, as many as fit in {@code maxBytes} of data. Never before the
     * log's own first entry.
     */
    public long trailingStart(long index, long maxCount, long maxBytes) {
        long first = Math.max(firstIndex(), index - maxCount);
        long start = index;
        long bytes = 0;
        while (start > first) {
            bytes += entryAt(start - 1).data().length;
            if (bytes > maxBytes) {
                break;
            }
            start--;
        }
        return Math.max(1, start);
    }

    /**
     * First index of the run of entries with {@code termAt(index)} that contains {@code index}, as far
     * back as the log reaches (the snapshot base at the earliest).
     */
    public long firstIndexOfTermAt(long index) {
        long term = termAt(index);
        long i = index;
        while (i > Math.max(1, snapshotIndex) && termAt(i - 1) == term) {
            i--;
        }
        return i;
    }

    /** Last index at or below {@code atOrBelow} whose term is {@code term}, or 0 if none is known. */
    public long lastIndexOfTerm(long term, long atOrBelow) {
        for (long i = Math.min(atOrBelow, lastIndex()); i >= Math.max(1, snapshotIndex); i--) {
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
        List<LogEntry> out = List.copyOf(entries.subList(position(firstUnpersisted), entries.size()));
        firstUnpersisted = lastIndex() + 1;
        return out;
    }

    @Override
    public String toString() {
        return "RaftLog[base " + snapshotIndex + "@" + snapshotTerm + ", last " + lastIndex() + "]";
    }
}
