package io.rrmq.raft.core;

import java.util.ArrayDeque;

/**
 * Which part of the log is durable in this node's own storage: the writes handed out and not yet
 * reported persisted, and the highest index known durable (a leader counts itself in a quorum only
 * up to it).
 */
final class Durability {
    private long durableIndex;
    private long nextSeq = 1;
    /** The newest write storage reported durable. */
    private long persistedSeq;
    /** Writes handed out and not yet durable: {seq, highest index they make durable}, oldest first. */
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();

    Durability(long durableIndex) {
        this.durableIndex = durableIndex;
    }

    long durableIndex() {
        return durableIndex;
    }

    long persistedSeq() {
        return persistedSeq;
    }

    /** Records a write that makes the log durable up to {@code lastIndex}; returns its sequence number. */
    long handOut(long lastIndex) {
        long seq = nextSeq++;
        pending.addLast(new long[] {seq, lastIndex});
        return seq;
    }

    /** Storage finished write {@code seq} and every one before it. */
    void persisted(long seq) {
        persistedSeq = Math.max(persistedSeq, seq);
        while (!pending.isEmpty() && pending.peekFirst()[0] <= seq) {
            durableIndex = Math.max(durableIndex, pending.pollFirst()[1]);
        }
    }

    /** Entries from {@code index} on are gone: no write in flight can make them durable. */
    void truncatedFrom(long index) {
        capAt(index - 1);
    }

    /** Nothing past {@code index} is durable or will be by the writes in flight (the log was replaced). */
    void capAt(long index) {
        durableIndex = Math.min(durableIndex, index);
        for (long[] write : pending) {
            write[1] = Math.min(write[1], index);
        }
    }

    /** Everything up to {@code index} is durable by other means (a durable snapshot). */
    void durableUpTo(long index) {
        durableIndex = Math.max(durableIndex, index);
    }
}
