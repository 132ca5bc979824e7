package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.RaftConfig;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads (ReadIndex, thesis §6.4) under the seed sweep's partitions, crashes, lossy
 * links and clock drift: every read served returns state at least as new as every write
 * acknowledged before it was asked ({@link LinearizableReads}). The check can fail: with reads
 * served without the heartbeat round (an injected bug), a deposed leader in a minority serves stale
 * state, and the sweep must catch it. Replay a seed with
 * {@code mvn -B -pl raft-lib test -Dtest=LinearizableReadSimulationTest -Dsim.seed=SEED -Dsim.nodes=N}.
 */
class LinearizableReadSimulationTest {
    private static final int CI_SEEDS_3 = 50;
    private static final int CI_SEEDS_5 = 20;
    private static final int CI_SEEDS_LEASE = 30;
    private static final long CI_CHAOS_SECONDS = 60;

    private record Run(Simulation.Result result, LinearizableReads reads) {
    }

    private static Run runSeed(int nodes, long seed, long chaosMicros, BugInjection.Bug bug) {
        return runSeed(SimConfig.forSeed(seed, nodes, chaosMicros), nodes, seed, bug);
    }

    private static Run runSeed(SimConfig config, int nodes, long seed, BugInjection.Bug bug) {
        String replay = "mvn -B -pl raft-lib test -Dtest=LinearizableReadSimulationTest -Dsim.seed=" + seed
                + " -Dsim.nodes=" + nodes;
        LinearizableReads reads = new LinearizableReads(seed, bug);
        return new Run(new Simulation(seed, config, reads, replay).run(), reads);
    }

    private static void sweep(int nodes, int seeds) {
        Integer only = Integer.getInteger("sim.nodes");
        if (only != null && only != nodes) {
            return;
        }
        long chaos = SeedSweep.chaosMicros(CI_CHAOS_SECONDS);
        long[] served = new long[1];
        long[] failed = new long[1];
        SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(seeds), seed -> {
            Run run = runSeed(nodes, seed, chaos, BugInjection.Bug.NONE);
            served[0] += run.reads().served();
            failed[0] += run.reads().failed();
            return run.result();
        });
        System.out.println("LinearizableReadSimulationTest, " + nodes + " nodes: " + served[0] + " reads served, "
                + failed[0] + " failed (not leader, leadership lost, crash); " + summary);
        assertThat(served[0]).as("reads served").isGreaterThan(100L * summary.runs());
        assertThat(failed[0]).as("reads refused or failed by faults").isPositive();
    }

    @Test
    void threeNodeReadsAreLinearizableUnderRandomFaults() {
        sweep(3, CI_SEEDS_3);
    }

    @Test
    void fiveNodeReadsAreLinearizableUnderRandomFaults() {
        sweep(5, CI_SEEDS_5);
    }

    /**
     * Lease reads (off by default): with check-quorum and pre-vote on every seed, a leader serves
     * reads from its lease between rounds. The leader's clock is exact and the followers' drift by
     * less than the margin, so no read may be stale despite crashes, restarts and partitions.
     */
    @Test
    void leaseReadsAreLinearizableWhileClockDriftStaysWithinTheMargin() {
        long chaos = SeedSweep.chaosMicros(CI_CHAOS_SECONDS);
        long[] served = new long[1];
        SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(CI_SEEDS_LEASE), seed -> {
            SimConfig base = SimConfig.forSeed(seed, 3, chaos);
            SimConfig config = base.withRaft(base.raft().withPreVoteAndCheckQuorum(true, true)
                    .withLeaseReads(true, RaftConfig.DEFAULT_LEASE_MARGIN_TICKS));
            Run run = runSeed(config, 3, seed, BugInjection.Bug.NONE);
            served[0] += run.reads().served();
            return run.result();
        });
        System.out.println("LinearizableReadSimulationTest, lease reads, 3 nodes: " + served[0] + " reads served; "
                + summary);
        assertThat(served[0]).as("reads served").isGreaterThan(100L * summary.runs());
    }

    /** The mutation: a leader that serves reads without confirming its leadership is caught. */
    @Test
    void readsServedWithoutAHeartbeatRoundAreCaught() {
        long first = SeedSweep.firstSeed();
        for (long seed = first; seed < first + 30; seed++) {
            try {
                runSeed(3, seed, CI_CHAOS_SECONDS * SimConfig.SECOND, BugInjection.Bug.READS_WITHOUT_ROUND);
            } catch (SimulationFailure f) {
                String message = f.getCause() != null ? f.getCause().getMessage() : f.getMessage();
                System.out.println("LinearizableReadSimulationTest: READS_WITHOUT_ROUND caught by seed " + seed
                        + " (" + (seed - first + 1) + " seeds): " + message.lines().findFirst().orElse(""));
                assertThat(message).startsWith("linearizable read");
                return;
            }
        }
        throw new AssertionError("reads without a heartbeat round were not caught in 30 seeds");
    }
}
