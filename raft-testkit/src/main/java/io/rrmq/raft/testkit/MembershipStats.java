package io.rrmq.raft.testkit;

/**
 * What one run (or a sweep) did with membership, so that a test can insist the nemesis exercised it.
 *
 * @param joiners          new servers started (with an empty configuration, waiting to be added)
 * @param learnersAdded    add-learner changes a leader appended
 * @param promoted         promotions a leader appended, once the learner had caught up
 * @param promotionsAbandoned catch-ups given up (leadership lost, learner removed or stalled)
 * @param removed          removals a leader appended (of a voter, a learner or the leader itself)
 * @param leaderRemovals   of those, removals of the appending leader itself
 * @param refused          changes the leader refused (one at a time, Ongaro's rule, not leader...)
 * @param transfers        leadership transfers started
 * @param committedChanges configuration entries committed, bootstrap records excluded
 * @param maxVoters        the most voters a committed configuration had
 * @param minVoters        the fewest voters a committed configuration had
 * @param ignoredVoteRequests vote requests from servers outside the receiver's voters (learners,
 *                         removed servers), which the receiver ignored: the disruptive-server case
 */
public record MembershipStats(long joiners, long learnersAdded, long promoted, long promotionsAbandoned,
                              long removed, long leaderRemovals, long refused, long transfers,
                              long committedChanges, int maxVoters, int minVoters, long ignoredVoteRequests) {
    /** Nothing done. */
    public static final MembershipStats NONE = new MembershipStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            Integer.MAX_VALUE, 0);

    /**
     * Sums two runs' figures (the voter bounds are the extremes of both).
     *
     * @param o the other run's
     * @return the sum
     */
    public MembershipStats plus(MembershipStats o) {
        return new MembershipStats(joiners + o.joiners, learnersAdded + o.learnersAdded, promoted + o.promoted,
                promotionsAbandoned + o.promotionsAbandoned, removed + o.removed, leaderRemovals + o.leaderRemovals,
                refused + o.refused, transfers + o.transfers, committedChanges + o.committedChanges,
                Math.max(maxVoters, o.maxVoters), Math.min(minVoters, o.minVoters),
                ignoredVoteRequests + o.ignoredVoteRequests);
    }

    @Override
    public String toString() {
        return String.format("membership: %d servers started, appended %d add-learner, %d promote (%d catch-ups"
                        + " abandoned), %d remove (%d of the leader itself), %d refused; %d committed; voters %d..%d;"
                        + " %d transfers; %d vote requests from non-voters ignored",
                joiners, learnersAdded, promoted, promotionsAbandoned, removed, leaderRemovals, refused,
                committedChanges, minVoters == Integer.MAX_VALUE ? 0 : minVoters, maxVoters, transfers,
                ignoredVoteRequests);
    }

    /** Mutable counters of one run. */
    static final class Counter {
        long joiners;
        long learnersAdded;
        long promoted;
        long promotionsAbandoned;
        long removed;
        long leaderRemovals;
        long refused;
        long transfers;
        long ignoredVoteRequests;

        MembershipStats snapshot(java.util.List<io.rrmq.raft.LogEntry> committedLog) {
            long changes = 0;
            int most = 0;
            int fewest = Integer.MAX_VALUE;
            io.rrmq.raft.Configuration previous = null;
            for (io.rrmq.raft.LogEntry e : committedLog) {
                if (e.type() == io.rrmq.raft.LogEntry.Type.CONFIGURATION) {
                    if (previous != null && !previous.equals(e.configuration())) {
                        changes++;
                    }
                    previous = e.configuration();
                    int voters = previous.voterIds().size();
                    most = Math.max(most, voters);
                    fewest = Math.min(fewest, voters);
                }
            }
            return new MembershipStats(joiners, learnersAdded, promoted, promotionsAbandoned, removed,
                    leaderRemovals, refused, transfers, changes, most, fewest, ignoredVoteRequests);
        }
    }
}
