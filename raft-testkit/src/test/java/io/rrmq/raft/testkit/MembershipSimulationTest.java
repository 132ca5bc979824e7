package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Raft's safety properties with the membership nemesis on: learners added, promoted once caught up,
 * servers removed (the leader too), leadership handed over, among the crashes, partitions, clock
 * drift and snapshots of {@link RaftSimulationTest}; every invariant checked against the
 * configuration in effect (see {@link InvariantChecker}). Replay one seed with
 * {@code mvn -B -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=MembershipSimulationTest -Dsim.seed=SEED -Dsim.nodes=N};
 * soak with {@code -Dsim.seeds=COUNT} and {@code -Dsim.chaosSeconds=SECONDS}.
 */
class MembershipSimulationTest {
    static final int CI_SEEDS_PER_SIZE = 60;
    static final long CI_CHAOS_SECONDS = 30;

    static Simulation.Result runSeed(int nodes, long seed, long chaosMicros, SimConfig.MembershipChaos chaos,
                                     String test) {
        SimConfig config = SimConfig.forSeed(seed, nodes, chaosMicros).withMembership(chaos);
        String replay = "mvn -B -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=" + test + " -Dsim.seed=" + seed + " -Dsim.nodes=" + nodes
                + (chaosMicros == CI_CHAOS_SECONDS * SimConfig.SECOND ? ""
                : " -Dsim.chaosSeconds=" + chaosMicros / SimConfig.SECOND);
        return new Simulation(seed, config, new CountingWorkload(), replay).run();
    }

    private static void sweep(int nodes) {
        Integer only = Integer.getInteger("sim.nodes");
        if (only != null && only != nodes) {
            return;
        }
        long chaos = SeedSweep.chaosMicros(CI_CHAOS_SECONDS);
        SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(CI_SEEDS_PER_SIZE),
                seed -> runSeed(nodes, seed, chaos, SimConfig.MembershipChaos.standard(), "MembershipSimulationTest"));
        System.out.println("MembershipSimulationTest, " + nodes + " initial voters: " + summary);
        assertThat(summary.acknowledged()).isPositive();
        if (summary.runs() >= CI_SEEDS_PER_SIZE) {
            MembershipStats m = summary.membership();
            assertThat(m.committedChanges()).as("committed changes").isGreaterThan(5L * summary.runs());
            assertThat(m.promoted()).as("promotions").isGreaterThan(summary.runs());
            assertThat(m.leaderRemovals()).as("removals of the leader").isGreaterThan(summary.runs() / 2);
            assertThat(m.transfers()).as("leadership transfers").isGreaterThan(summary.runs());
            assertThat(m.maxVoters()).as("most voters").isEqualTo(7);
            assertThat(m.minVoters()).as("fewest voters").isEqualTo(1);
            assertThat(m.ignoredVoteRequests()).as("vote requests of non-voters ignored").isPositive();
        }
    }

    @Test
    void threeVotersStaySafeWhileServersComeAndGo() {
        sweep(3);
    }

    @Test
    void fiveVotersStaySafeWhileServersComeAndGo() {
        sweep(5);
    }

    @Test
    void sameSeedGivesTheSameTrace() {
        long seed = Long.getLong("sim.seed", 7);
        var chaos = SimConfig.MembershipChaos.standard();
        Simulation.Result first = runSeed(3, seed, 10 * SimConfig.SECOND, chaos, "MembershipSimulationTest");
        Simulation.Result second = runSeed(3, seed, 10 * SimConfig.SECOND, chaos, "MembershipSimulationTest");
        assertThat(second.traceHash()).isEqualTo(first.traceHash());
        assertThat(second.committedLog()).isEqualTo(first.committedLog());
    }
}
