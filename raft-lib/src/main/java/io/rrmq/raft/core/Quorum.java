package io.rrmq.raft.core;

import java.util.Arrays;

/** Majority arithmetic for a fixed set of voters. */
public final class Quorum {
    private Quorum() {
    }

    /** Votes needed to win among {@code voters}: a strict majority. */
    public static int size(int voters) {
        return voters / 2 + 1;
    }

    /**
     * The highest index that a majority of {@code matchIndexes} (one per voter, the leader's own
     * durable index included) has reached: Figure 2's "N such that a majority of matchIndex[i] >= N".
     */
    public static long committedIndex(long[] matchIndexes) {
        long[] sorted = matchIndexes.clone();
        Arrays.sort(sorted);
        // Ascending order: the element at n - quorum is reached by exactly `quorum` voters or more.
        return sorted[sorted.length - size(sorted.length)];
    }
}
