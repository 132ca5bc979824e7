package io.rrmq.raft.core;

import io.rrmq.raft.message.InstallSnapshot;

/**
 * A follower's view of the snapshot a leader is sending it (Figure 13, receiver rules 2-4): whose it
 * is, how many bytes are stored, and whether a chunk's write is under way. The bytes themselves are
 * written by the runtime; the core only decides which chunk is next.
 */
final class IncomingSnapshot {
    final int leader;
    final long term;
    final long lastIncludedIndex;
    final long lastIncludedTerm;
    /** Bytes stored, contiguous from offset 0. */
    long stored;
    /** Chunks handed to the runtime to write, in file order, not yet reported written. */
    final java.util.ArrayDeque<InstallSnapshot> writing = new java.util.ArrayDeque<>();

    /** Receiver rule 2: a chunk at offset 0 starts a new snapshot file. */
    IncomingSnapshot(InstallSnapshot first) {
        this.leader = first.from();
        this.term = first.term();
        this.lastIncludedIndex = first.lastIncludedIndex();
        this.lastIncludedTerm = first.lastIncludedTerm();
    }

    /** Whether {@code m} belongs to this transfer (same sender, term and snapshot). */
    boolean sameTransfer(InstallSnapshot m) {
        return m.from() == leader && m.term() == term && m.lastIncludedIndex() == lastIncludedIndex
                && m.lastIncludedTerm() == lastIncludedTerm;
    }

    /**
     * Whether the first chunk {@code m} may start a new file in place of this one: when nothing is
     * being written, and it is another transfer or this one has stored nothing yet. The same
     * transfer's first chunk after that is a copy (resent while the leader waited for answers):
     * starting over would throw away what is stored and draw a lower answer.
     */
    boolean startsOverWith(InstallSnapshot m) {
        return writing.isEmpty() && (!sameTransfer(m) || stored == 0);
    }

    /**
     * Whether {@code m} is the next chunk of this transfer, so its data goes right after the chunks
     * stored or being written (and none of those was the last).
     */
    boolean continuesWith(InstallSnapshot m) {
        InstallSnapshot last = writing.peekLast();
        long end = last == null ? stored : last.endOffset();
        return sameTransfer(m) && m.offset() == end && (last == null || !last.done());
    }
}
