package io.rrmq.example.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.testkit.Proposal;
import io.rrmq.raft.testkit.SeedSweep;
import io.rrmq.raft.testkit.SimConfig;
import io.rrmq.raft.testkit.Simulation;
import io.rrmq.raft.testkit.Workload;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The store's state machine on raft-testkit's simulated cluster under crashes, partitions, message
 * loss and snapshots, then a linearizability check of everything acknowledged: each answer is the
 * one a single map gives when the committed log is replayed, and an operation invoked after another
 * was acknowledged sits later in the log. Replay a seed with
 * {@code mvn -B -pl examples/replicated-kv -am test -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=KvSimulationTest -Dsim.seed=SEED}.
 */
class KvSimulationTest {
    private static final int SEEDS = 30;

    /** An acknowledged operation: its log index, its answer, and how many operations were invoked by its acknowledgement. */
    private record Acked(long index, String answer, long invokedBeforeAck) {
    }

    /** PUTs of unique values and GETs over five keys; after the faults, ten more acknowledgements. */
    private static final class KvWorkload implements Workload {
        final TreeMap<Long, Acked> byProposalId = new TreeMap<>();
        long invoked;
        int acknowledgedAfterHeal;

        @Override
        public StateMachine newStateMachine() {
            return new KvStateMachine();
        }

        @Override
        public Command next(Random random, boolean healed) {
            if (finished()) {
                return null;
            }
            invoked++; // the simulation numbers proposals 1, 2, ... in this order
            String key = "k" + random.nextInt(5);
            KvCommand c = random.nextBoolean() ? new KvCommand(KvCommand.Op.PUT, key, "v" + invoked)
                    : new KvCommand(KvCommand.Op.GET, key, "");
            return new Command(healed ? 1 : 0, c.encode());
        }

        @Override
        public void acknowledged(Proposal proposal, byte[] result) {
            byProposalId.put(proposal.id(), new Acked(proposal.index(), new String(result, StandardCharsets.UTF_8), invoked));
            acknowledgedAfterHeal += proposal.client();
        }

        @Override
        public boolean finished() {
            return acknowledgedAfterHeal >= 10;
        }
    }

    static void check(KvWorkload workload, Simulation.Result result) {
        Map<Long, String> modelAnswer = new HashMap<>();
        Map<String, String> model = new HashMap<>();
        for (LogEntry e : result.committedLog()) {
            if (e.type() == LogEntry.Type.COMMAND) {
                KvCommand c = KvCommand.decode(e.data());
                String answer = c.op() == KvCommand.Op.PUT ? model.put(c.key(), c.value()) : model.get(c.key());
                modelAnswer.put(e.index(), answer == null ? "" : answer);
            }
        }
        // Real-time order: whatever was invoked after an acknowledgement committed after it. From the
        // highest proposal id down: the lowest index of any acknowledged operation with that id or a higher one.
        TreeMap<Long, Long> lowestIndexFrom = new TreeMap<>();
        long lowest = Long.MAX_VALUE;
        for (Map.Entry<Long, Acked> op : workload.byProposalId.descendingMap().entrySet()) {
            Acked a = op.getValue();
            assertThat(a.answer()).as("answer of #%d at %d", op.getKey(), a.index()).isEqualTo(modelAnswer.get(a.index()));
            lowest = Math.min(lowest, a.index());
            lowestIndexFrom.put(op.getKey(), lowest);
        }
        for (Map.Entry<Long, Acked> op : workload.byProposalId.entrySet()) {
            Map.Entry<Long, Long> later = lowestIndexFrom.higherEntry(op.getValue().invokedBeforeAck());
            if (later != null) {
                assertThat(later.getValue()).as("index of an operation invoked after #%d was acknowledged", op.getKey())
                        .isGreaterThan(op.getValue().index());
            }
        }
        assertThat(workload.byProposalId).as("acknowledged operations").isNotEmpty();
    }

    @Test
    void answersAreLinearizableUnderFaults() {
        long chaos = SeedSweep.chaosMicros(20);
        SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(SEEDS), seed -> {
            KvWorkload workload = new KvWorkload();
            String replay = "mvn -B -pl examples/replicated-kv -am test -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dtest=KvSimulationTest -Dsim.seed=" + seed;
            return new Simulation(seed, SimConfig.forSeed(seed, 3, chaos), workload, replay)
                    .run(result -> check(workload, result));
        });
        System.out.println("KvSimulationTest: " + summary);
        assertThat(summary.acknowledged()).isPositive();
    }
}
