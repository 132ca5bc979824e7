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
        /** {@return the nemesis of our own membership tests: 30% of actions, bursts, up to 7 voters and 16 joiners} */
        public static MembershipChaos standard() {
            return new MembershipChaos(30, 30, 7, 16, BugInjection.Bug.NONE, true);
        }

        /**
         * This nemesis with a bug injected in every core.
         *
         * @param injected the bug
         * @param strict   whether the one-change-at-a-time check stays on
         * @return the new nemesis
         */
        public MembershipChaos withBug(BugInjection.Bug injected, boolean strict) {
            return new MembershipChaos(percent, burstPercent, maxVoters, maxJoiners, injected, strict);
        }
    }

    /** {@return how many node ids a run may use: the initial group and the servers the membership nemesis starts} */
    public int capacity() {
        return nodes + (membership == null ? 0 : membership.maxJoiners());
    }

    /** One virtual millisecond, in microseconds. */
    public static final long MILLI = 1_000;
    /** One virtual second, in microseconds. */
    public static final long SECOND = 1_000_000;

    /**
     * Defaults with small messages and a small in-flight window, so that probing, pipelining and
     * fast back-off all run under faults: 5 s to heal, 30 s to settle, a fault action every 400 ms
     * and a proposal every 8 ms on average.
     *
     * @param nodes       cluster size
     * @param chaosMicros the virtual length of the fault phase
     * @return the configuration
     */
    public static SimConfig standard(int nodes, long chaosMicros) {
        RaftConfig raft = RaftConfig.defaults().withFlowControl(8, 1 << 20, 4);
        return new SimConfig(nodes, chaosMicros, 5 * SECOND, 30 * SECOND, 400 * MILLI, 8 * MILLI, raft, null);
    }

    /**
     * {@link #standard}, except that every fourth seed runs classic Raft elections (no pre-vote, no
     * check-quorum): more split votes and competing candidates, and both modes stay covered; and
     * half the seeds take snapshots constantly ({@link #snapshotsOn}).
     *
     * @param seed        the run's seed
     * @param nodes       cluster size
     * @param chaosMicros the virtual length of the fault phase
     * @return the configuration
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
     *
     * @param seed the run's seed
     * @return whether this seed takes snapshots
     */
    public static boolean snapshotsOn(long seed) {
        return seed % 4 == 0 || seed % 4 == 3;
    }

    /**
     * This configuration with small snapshot thresholds drawn from {@code seed}.
     *
     * @param seed the run's seed
     * @return the new configuration
     */
    public SimConfig withSnapshots(long seed) {
        long mix = Math.abs(seed * 0x9E3779B97F4A7C15L >>> 1);
        return withRaft(raft.withSnapshots(20 + mix % 31, 1L << 30, 5 + (mix >>> 8) % 6)
                .withSnapshotChunkBytes(64 + (int) ((mix >>> 16) % 193)));
    }

    /**
     * This configuration with another fault phase.
     *
     * @param micros its virtual length
     * @return the new configuration
     */
    public SimConfig withChaos(long micros) {
        return new SimConfig(nodes, micros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, raft, membership);
    }

    /**
     * This configuration with a membership nemesis.
     *
     * @param chaos what it may do
     * @return the new configuration
     */
    public SimConfig withMembership(MembershipChaos chaos) {
        return new SimConfig(nodes, chaosMicros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, raft, chaos);
    }

    /**
     * This configuration with another engine configuration.
     *
     * @param newRaft the engine's configuration
     * @return the new configuration
     */
    public SimConfig withRaft(RaftConfig newRaft) {
        return new SimConfig(nodes, chaosMicros, healMicros, settleMicros, meanFaultGapMicros,
                meanProposalGapMicros, newRaft, membership);
    }
}
