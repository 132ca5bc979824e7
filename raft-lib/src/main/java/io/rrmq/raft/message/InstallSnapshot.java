package io.rrmq.raft.message;

/**
 * InstallSnapshot (Raft paper, Figure 13): one chunk of the leader's snapshot file, for a follower
 * that needs entries the leader has compacted away. {@code from} is the leader id.
 *
 * <p>The chunks are the bytes of the snapshot file itself (header, state, CRC32C), so the follower
 * can check the whole transfer end to end before installing it. A leader keeps a few chunks in
 * flight per follower; the follower writes them in order and refuses one that does not continue
 * its file.
 *
 * @param lastIncludedIndex the snapshot replaces all entries up through and including this index
 * @param lastIncludedTerm  term of {@code lastIncludedIndex}
 * @param offset            byte offset where {@code data} is positioned in the snapshot file
 * @param data              raw bytes of the snapshot file, starting at {@code offset}; immutable by
 *                          convention
 * @param done              true if this is the last chunk
 */
public record InstallSnapshot(int from, int to, long term, long lastIncludedIndex, long lastIncludedTerm,
                              long offset, byte[] data, boolean done) implements RaftMessage {

    /** {@return the offset just past this chunk} */
    public long endOffset() {
        return offset + data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallSnapshot m && m.from == from && m.to == to && m.term == term
                && m.lastIncludedIndex == lastIncludedIndex && m.lastIncludedTerm == lastIncludedTerm
                && m.offset == offset && m.done == done && java.util.Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(from, to, term, lastIncludedIndex, offset);
    }

    @Override
    public String toString() {
        return "InstallSnapshot[" + from + "->" + to + " term " + term + ", " + lastIncludedIndex + "@"
                + lastIncludedTerm + ", bytes " + offset + ".." + endOffset() + (done ? ", done" : "") + "]";
    }
}
