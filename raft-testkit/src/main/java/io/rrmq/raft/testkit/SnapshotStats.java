package io.rrmq.raft.testkit;

/**
 * What one run (or a sweep) did with snapshots, so that a test can insist the feature was exercised.
 *
 * @param taken        snapshots saved durably by the node that took them
 * @param savesLost    saves cut short by a crash (not durable, so not used)
 * @param compactions  log compactions made durable
 * @param transfers    InstallSnapshot transfers whose last chunk was stored and checked
 * @param interrupted  transfers under way (chunks stored or being sent) when a crash hit either end
 * @param installs     state machines reset from a leader's snapshot (Figure 13 rule 8)
 * @param recoveries   restarts that restored the state machine from a durable snapshot
 * @param chunksSent   InstallSnapshot chunks sent
 * @param checkpointsResumed of the recoveries, those where the machine loaded its own checkpoint of
 *                     the snapshot instead ({@code StateMachine.resumeCheckpoint})
 * @param expanded     snapshots stored by reference that a leader saved whole before sending them
 *                     ({@code StateMachine.expandSnapshot})
 */
public record SnapshotStats(long taken, long savesLost, long compactions, long transfers, long interrupted,
                            long installs, long recoveries, long chunksSent, long checkpointsResumed,
                            long expanded) {
    /** Nothing done. */
    public static final SnapshotStats NONE = new SnapshotStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Sums two runs' figures.
     *
     * @param o the other run's
     * @return the sum
     */
    public SnapshotStats plus(SnapshotStats o) {
        return new SnapshotStats(taken + o.taken, savesLost + o.savesLost, compactions + o.compactions,
                transfers + o.transfers, interrupted + o.interrupted, installs + o.installs,
                recoveries + o.recoveries, chunksSent + o.chunksSent, checkpointsResumed + o.checkpointsResumed,
                expanded + o.expanded);
    }

    @Override
    public String toString() {
        return String.format("snapshots: %d taken, %d saves lost to crashes, %d compactions, %d transfers"
                        + " (%d chunks), %d transfers interrupted by crashes, %d installs, %d recoveries from a snapshot"
                        + " (%d from the machine's checkpoint), %d made whole to send",
                taken, savesLost, compactions, transfers, chunksSent, interrupted, installs, recoveries,
                checkpointsResumed, expanded);
    }

    /** Mutable counters of one run. */
    static final class Counter {
        long taken;
        long savesLost;
        long compactions;
        long transfers;
        long interrupted;
        long installs;
        long recoveries;
        long chunksSent;
        long checkpointsResumed;
        long expanded;

        SnapshotStats snapshot() {
            return new SnapshotStats(taken, savesLost, compactions, transfers, interrupted, installs, recoveries,
                    chunksSent, checkpointsResumed, expanded);
        }
    }
}
