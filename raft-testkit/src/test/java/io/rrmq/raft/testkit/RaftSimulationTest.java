package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Raft's safety properties and liveness under random faults, over a fixed set of seeds (see
 * {@link InvariantChecker}, {@link Nemesis}). Replay one seed with
 * {@code mvn -B -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RaftSimulationTest -Dsim.seed=SEED -Dsim.nodes=N};
 * soak with {@code -Dsim.seeds=COUNT} and {@code -Dsim.chaosSeconds=SECONDS}.
 */
class RaftSimulationTest {
    private static final int CI_SEEDS_PER_SIZE = 400;
    private static final long CI_CHAOS_SECONDS = 60;

    static Simulation.Result runSeed(int nodes, long seed, long chaosMicros) {
        SimConfig config = SimConfig.forSeed(seed, nodes, chaosMicros);
        String replay = "mvn -B -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RaftSimulationTest -Dsim.seed=" + seed
                + " -Dsim.nodes=" + nodes + (chaosMicros == CI_CHAOS_SECONDS * SimConfig.SECOND ? ""
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
                seed -> runSeed(nodes, seed, chaos));
        System.out.println("RaftSimulationTest, " + nodes + " nodes: " + summary);
        assertThat(summary.acknowledged()).isPositive();
        if (summary.runs() >= CI_SEEDS_PER_SIZE) {
            // Half the seeds take snapshots constantly: the sweep must have exercised all of it.
            SnapshotStats s = summary.snapshots();
            assertThat(s.taken()).as("snapshots taken").isGreaterThan(10L * summary.runs());
            assertThat(s.compactions()).as("compactions").isGreaterThan(10L * summary.runs());
            assertThat(s.transfers()).as("InstallSnapshot transfers").isGreaterThan(summary.runs());
            assertThat(s.chunksSent()).as("chunks sent").isGreaterThan(2 * s.transfers());
            assertThat(s.interrupted()).as("transfers interrupted by crashes").isGreaterThan(10);
            assertThat(s.savesLost()).as("saves cut by crashes").isGreaterThan(50);
            assertThat(s.recoveries()).as("restarts from a snapshot").isGreaterThan(summary.runs());
        }
    }

    @Test
    void threeNodesStaySafeAndRecoverUnderRandomFaults() {
        sweep(3);
    }

    @Test
    void fiveNodesStaySafeAndRecoverUnderRandomFaults() {
        sweep(5);
    }

    /**
     * Regression: with classic elections, a node with a stale log and the fastest clock kept
     * resetting the others' election timers with vote requests they refused; no leader was elected
     * within 5 s of healing (RaftCore now keeps the timer running when it refuses a vote).
     */
    @Test
    void classicElectionsRecoverDespiteAFastNodeWithAStaleLog() {
        runSeed(3, 8, CI_CHAOS_SECONDS * SimConfig.SECOND);
        runSeed(5, 172, CI_CHAOS_SECONDS * SimConfig.SECOND);
    }

    /**
     * Regression: a leader applied and snapshotted entries its own disk had not made durable (a
     * majority had), then crashed; on restart its log ended before the snapshot, and the first entry
     * appended after it did not continue the stored log, so storage refused it and the node stopped
     * (Recovery now has that stale log dropped before the node starts).
     */
    @Test
    void restartsWhenTheSnapshotOutranTheDurableLog() {
        runSeed(5, 4, CI_CHAOS_SECONDS * SimConfig.SECOND);
        runSeed(3, 48, CI_CHAOS_SECONDS * SimConfig.SECOND);
    }

    /**
     * Regression: a follower crashed after installing a snapshot and before discarding its
     * conflicting log; Recovery skipped that log but storage kept it, so the entries it then
     * acknowledged were appended behind the conflict and thrown away at its next restart, and a
     * leader was elected without a committed entry (Recovery now has the stale log discarded).
     */
    @Test
    void keepsAcknowledgedEntriesAfterACrashBetweenInstallAndDiscard() {
        runSeed(3, 360, CI_CHAOS_SECONDS * SimConfig.SECOND);
    }

    @Test
    void sameSeedGivesTheSameTrace() {
        long seed = Long.getLong("sim.seed", 42);
        Simulation.Result first = runSeed(5, seed, 10 * SimConfig.SECOND);
        Simulation.Result second = runSeed(5, seed, 10 * SimConfig.SECOND);
        assertThat(second.traceHash()).isEqualTo(first.traceHash());
        assertThat(second.events()).isEqualTo(first.events());
        assertThat(second.committedLog()).isEqualTo(first.committedLog());
    }

    @Test
    void differentSeedsGiveDifferentTraces() {
        assertThat(runSeed(3, 1, 5 * SimConfig.SECOND).traceHash())
                .isNotEqualTo(runSeed(3, 2, 5 * SimConfig.SECOND).traceHash());
    }
}
