package io.rrmq.raft;

import java.util.List;

/**
 * What a snapshot stands for: the state after applying every entry up to and including
 * {@code lastIncludedIndex} (whose term is {@code lastIncludedTerm}), in a cluster of
 * {@code members} (Raft paper §7: "the last included index and term ... and the latest
 * configuration as of the last included index").
 *
 * @param lastIncludedIndex index of the last entry the snapshot replaces; at least 1
 * @param lastIncludedTerm  term of that entry
 * @param members           voting member ids, in the order the node was configured with
 */
public record SnapshotMeta(long lastIncludedIndex, long lastIncludedTerm, List<Integer> members) {
    public SnapshotMeta {
        if (lastIncludedIndex < 1 || lastIncludedTerm < 1) {
            throw new IllegalArgumentException("bad snapshot position index=" + lastIncludedIndex
                    + " term=" + lastIncludedTerm);
        }
        members = List.copyOf(members);
    }

    @Override
    public String toString() {
        return "snapshot@" + lastIncludedIndex + "/" + lastIncludedTerm + members;
    }
}
