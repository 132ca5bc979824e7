package io.rrmq.raft.testkit;

import io.rrmq.raft.RaftConfig;

/**
 * The shape of one simulated run. Times are virtual microseconds.
 *
 * @param nodes            cluster size
 * @param chaosMicros      how long faults are injected
 * @param healMicros       after the faults stop: the liveness bound within which a leader must be
 *                         elected and a fresh proposal acknowledged
 * @param settleMicros     after that: how long the workload may take to finish (e.g. drain queues)
 *                         and every node to catch up with the leader
 * @param meanFaultGapMicros mean virtual time between two fault actions of the nemesis
 * @param meanProposalGapMicros mean virtual time between two client proposals
 * @param raft             the engine's configuration (10 ms ticks by default)
 * @param membership       the membership nemesis, or null for a group whose members never change
 */
public record SimConfig(int nodes, long chaosMicros, long healMicros, long settleMicros,
                        long meanFaultGapMicros, long meanProposalGapMicros, RaftConfig raft,
                        MembershipChaos membership) {

    /**
     * What the membership nemesis may do.
     *
     * @param percent            share of the nemesis's actions that are membership actions (add a
     *                           learner, promote one, remove a server, transfer leadership)
     * @param burstPercent       chance that a membership action is followed within 30 ms by another
     *                           one, as an operator's script would (it meets the one-change-at-a-time rule)
     * @param maxVoters          promotions stop at this many voters; removals at one
     * @param maxJoiners         how many new servers a run may start (ids {@code nodes ..})
     * @param bug                a membership safety rule broken on purpose in every core, or NONE
     * @param strictChangeCheck  whether the checker insists on at most one uncommitted configuration
     *                           change in a leader's log; off, a bug must show itself by deeper damage
     */
    public record MembershipChaos(int percent, int burstPercent, int maxVoters, int maxJoiners,
                                  BugInjection.Bug bug, boolean strictChangeCheck) {
        public static MembershipChaos standard() {
            return new MembershipChaos(30, 30, 7, 16, BugInjection.Bug.NONE, true);
        }

        public MembershipChaos withBug(BugInjection.Bug injected, boolean strict) {
            return new MembershipChaos(percent, burstPercent, maxVoters, maxJoiners, injected, strict);
        }
    }

    /** Every node id a run may use: the initial group and the servers the membership nemesis starts. */
    public int capacity() {
        return nodes + (membership == null ? 0 : membership.maxJoiners());
    }

    public static final long MILLI = 1_000;
    public static final long SECOND = 1_000_000;

    /**
     * Defaults with small messages and a small in-flight window, so that probing, pipelining and
     * fast back-off all run under faults.
     */
    public static SimConfig standard(int nodes, long chaosMicros) {
        RaftConfig raft = RaftConfig.defaults().withFlowControl(8, 1 << 20, 4);
        return new SimConfig(nodes, chaosMicros, 5 * SECOND, 30 * SECOND, 400 * MILLI, 8 * MILLI, raft, null);
    }

    /**
     * {@link #standard}, except that every fourth seed runs classic Raft elections (no pre-vote, no
     * check-quorum): more split votes and competing candidates, and both modes stay covered.
     */
    public static SimConfig forSeed(long seed, int nodes, long chaosMicros) {
        SimConfig config = standard(nodes, chaosMicros);
        if (seed % 4 == 0) {
            config = config.withRaft(config.raft().withPreVoteAndCheckQuorum(false, false));
        }
        return snapshotsOn(seed) ? config.withSnapshots(seed) : config;
    }

    /**
     * Half the seeds (one classic-election residue and one pre-vote residue of four) take snapshots
     * constantly: every 20-50 applied entries, keeping 5-10 behind, sent in chunks of 64-256 bytes, so
     * compaction and multi-chunk InstallSnapshot transfers happen throughout the faults.
     */
    public static boolean snapshotsOn(long seed) {
        return seed % 4 == 0 || seed % 4 == 3;
    }

    /** Small snapshot thresholds drawn from {@code seed}. */
    public SimConfig withSnapshots(long seed) {
        long mix = Math.abs(seed * 0x9E3779B97F4A7C15L >>> 1);
        return withRaft(raft.withSnapshots(20 + mix % 31, 1L << 30, 5 + (mix >>> 8) % 6)
                .withSnapshotChunkBytes(64 + (int) ((mix >>> 16) % 193)));
    }

    public SimConfig withChaos(long micros) {
        return new SimConfig(nodes, micros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, raft, membership);
    }

    public SimConfig withMembership(MembershipChaos chaos) {
        return new SimConfig(nodes, chaosMicros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, raft, chaos);
    }

    public SimConfig withRaft(RaftConfig newRaft) {
        return new SimConfig(nodes, chaosMicros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, newRaft, membership);
    }
}
