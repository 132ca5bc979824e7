package io.rrmq.raft;


/**
 * What a snapshot stands for: the state after applying every entry up to and including
 * {@code lastIncludedIndex} (whose term is {@code lastIncludedTerm}), in a cluster of
 * {@code configuration} (Raft paper §7: "the last included index and term ... and the latest
 * configuration as of the last included index").
 *
 * @param lastIncludedIndex index of the last entry the snapshot replaces; at least 1
 * @param lastIncludedTerm  term of that entry
 * @param configuration     the newest configuration at or before {@code lastIncludedIndex}
 */
public record SnapshotMeta(long lastIncludedIndex, long lastIncludedTerm, Configuration configuration) {
    /**
     * Checks the position.
     *
     * @param lastIncludedIndex index of the last entry the snapshot replaces; at least 1
     * @param lastIncludedTerm  term of that entry; at least 1
     * @param configuration     the newest configuration at or before {@code lastIncludedIndex}
     */
    public SnapshotMeta {
        if (lastIncludedIndex < 1 || lastIncludedTerm < 1) {
            throw new IllegalArgumentException("bad snapshot position index=" + lastIncludedIndex
                    + " term=" + lastIncludedTerm);
        }
        java.util.Objects.requireNonNull(configuration, "configuration");
    }

    @Override
    public String toString() {
        return "snapshot@" + lastIncludedIndex + "/" + lastIncludedTerm + configuration;
    }
}
