package io.rrmq.mq.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.raft.testkit.SeedSweep;
import io.rrmq.raft.testkit.SimConfig;
import io.rrmq.raft.testkit.Simulation;
import io.rrmq.raft.testkit.SimulationFailure;
import org.junit.jupiter.api.Test;

/**
 * The message queue on the simulated cluster (see raft-testkit's {@code io.rrmq.raft.testkit}): producers and
 * consumers under random faults, then a drain, then {@link MqHistoryChecker}. Replay one seed with
 * {@code mvn -B -pl mq-statemachine -am test -Dtest=MqSimulationTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsim.seed=SEED -Dsim.nodes=N}; soak with {@code -Dsim.seeds=COUNT -Dsim.chaosSeconds=SECONDS}.
 */
class MqSimulationTest {
    private static final int CI_SEEDS_PER_SIZE = 200;
    private static final long CI_CHAOS_SECONDS = 30;
    private static final java.util.concurrent.atomic.AtomicLong DELIVERIES = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong REDELIVERIES = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong ACKED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong DEAD_LETTERED = new java.util.concurrent.atomic.AtomicLong();

    private static Simulation.Result runSeed(int nodes, long seed, long chaosMicros) {
        String replay = "mvn -B -pl mq-statemachine -am test -Dtest=MqSimulationTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed + " -Dsim.nodes=" + nodes
                + (chaosMicros == CI_CHAOS_SECONDS * SimConfig.SECOND ? "" : " -Dsim.chaosSeconds=" + chaosMicros / SimConfig.SECOND);
        MqWorkload workload = new MqWorkload();
        Simulation.Result result = new Simulation(seed, SimConfig.forSeed(seed, nodes, chaosMicros), workload, replay).run();
        try {
            MqHistoryChecker.check(workload.history(), result.committedLog());
        } catch (AssertionError e) {
            throw new SimulationFailure(seed, replay, e.getMessage(), java.util.List.of("(the run itself passed; see the history)"), e);
        }
        long acknowledgedPuts = workload.history().stream()
                .filter(op -> op.outcome() == MqOperation.Outcome.ACKNOWLEDGED && op.command() instanceof MqCommand.PutMessage
                        && op.result().outcome() == MqResult.Outcome.OK)
                .count();
        assertThat(acknowledgedPuts).as("seed %d put something", seed).isPositive();
        for (MqOperation op : workload.history()) {
            if (op.outcome() == MqOperation.Outcome.ACKNOWLEDGED) {
                for (MqResult.Delivery d : op.result().deliveries()) {
                    DELIVERIES.incrementAndGet();
                    if (d.deliveries() > 1) {
                        REDELIVERIES.incrementAndGet();
                    }
                }
                if (op.result().count() > 0 && op.command() instanceof MqCommand.Stamped s
                        && s.command() instanceof MqCommand.Identified i && i.command() instanceof MqCommand.Ack) {
                    ACKED.addAndGet(op.result().count());
                }
            }
        }
        DEAD_LETTERED.addAndGet(MqHistoryChecker.deadLettered(result.committedLog()));
        return result;
    }

    private static void sweep(int nodes) {
        Integer only = Integer.getInteger("sim.nodes");
        if (only != null && only != nodes) {
            return;
        }
        long chaos = SeedSweep.chaosMicros(CI_CHAOS_SECONDS);
        SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(CI_SEEDS_PER_SIZE), seed -> runSeed(nodes, seed, chaos));
        System.out.println("MqSimulationTest, " + nodes + " nodes: " + summary + "; receive deliveries " + DELIVERIES
                + " (redeliveries " + REDELIVERIES + "), acked " + ACKED + ", dead-lettered " + DEAD_LETTERED);
        if (summary.runs() >= CI_SEEDS_PER_SIZE) {
            assertThat(REDELIVERIES.get()).as("redeliveries").isPositive();
            assertThat(ACKED.get()).as("acks").isPositive();
            assertThat(DEAD_LETTERED.get()).as("dead letters").isPositive();
            // Half the seeds take snapshots of TopicStateMachine (with live deliveries and remembered receive/ack ids) constantly.
            assertThat(summary.snapshots().taken()).as("snapshots taken").isGreaterThan(5L * summary.runs());
            assertThat(summary.snapshots().transfers()).as("InstallSnapshot transfers").isGreaterThan(summary.runs() / 2);
            assertThat(summary.snapshots().interrupted()).as("transfers interrupted by crashes").isPositive();
        }
    }

    @Test
    void threeNodeQueueDeliversEveryAcknowledgedMessageOnceInOrder() {
        sweep(3);
    }

    @Test
    void fiveNodeQueueDeliversEveryAcknowledgedMessageOnceInOrder() {
        sweep(5);
    }
}
