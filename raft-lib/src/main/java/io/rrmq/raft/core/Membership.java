package io.rrmq.raft.core;

import io.rrmq.raft.Configuration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The configurations of one node's log: the one in effect (the newest appended, committed or not:
 * thesis §4.1) and those it would fall back to if a leader truncated the newer ones away. The oldest
 * one kept is the newest committed one, which no truncation can remove.
 */
final class Membership {
    private record At(long index, Configuration configuration) {
    }

    /** Ascending by index; never empty. */
    private final Deque<At> history = new ArrayDeque<>();

    /**
     * @param index where {@code base} comes from: a snapshot's last index, the index of a configuration
     *              entry, or 0 for a configuration given at start-up that no entry records yet
     */
    Membership(long index, Configuration base) {
        history.add(new At(index, base));
    }

    Configuration current() {
        return history.getLast().configuration();
    }

    /** The newest configuration known committed (what {@link #committed} keeps as the oldest). */
    Configuration newestCommitted() {
        return history.getFirst().configuration();
    }

    /** The configuration {@link #current()} replaced, kept while that one is not committed; null if none. */
    Configuration previous() {
        if (history.size() < 2) {
            return null;
        }
        var it = history.descendingIterator();
        it.next();
        return it.next().configuration();
    }

    /** Index of the entry that made {@link #current()}, or the base's index. */
    long currentIndex() {
        return history.getLast().index();
    }

    /** Whether some log entry (or snapshot) records the configuration in effect. */
    boolean recorded() {
        return currentIndex() > 0;
    }

    void appended(long index, Configuration configuration) {
        history.add(new At(index, configuration));
    }

    /** Entries from {@code index} on are gone: so are the configurations they made. */
    void truncatedFrom(long index) {
        while (history.size() > 1 && history.getLast().index() >= index) {
            history.removeLast();
        }
        if (history.getLast().index() >= index) {
            throw new IllegalStateException("truncating from " + index + " would remove the committed configuration at "
                    + history.getLast().index());
        }
    }

    /** Forgets configurations older than the newest one at or below {@code commitIndex}. */
    void committed(long commitIndex) {
        while (history.size() > 1 && secondIndex() <= commitIndex) {
            history.removeFirst();
        }
    }

    /** A snapshot replaced the whole log: its configuration is all there is. */
    void reset(long index, Configuration configuration) {
        history.clear();
        history.add(new At(index, configuration));
    }

    private long secondIndex() {
        var it = history.iterator();
        it.next();
        return it.next().index();
    }
}
