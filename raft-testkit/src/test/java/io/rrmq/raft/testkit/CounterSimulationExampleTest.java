package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The testkit as an embedder uses it (the example of {@link Simulation}'s Javadoc and of
 * raft-lib/README.md): a counter state machine, a workload of adds, and a history check that every
 * acknowledged add returned the sum of the committed log up to its own entry.
 */
class CounterSimulationExampleTest {
    /** The application: adds each command (a long) to a sum and answers the new sum. */
    static final class Counter implements StateMachine {
        private long sum;

        @Override
        public byte[] apply(long index, byte[] command) {
            sum += ByteBuffer.wrap(command).getLong();
            return ByteBuffer.allocate(8).putLong(sum).array();
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            new DataOutputStream(out).writeLong(sum);
        }

        @Override
        public void restoreSnapshot(InputStream in) throws IOException {
            sum = new DataInputStream(in).readLong();
        }
    }

    /** Clients add 1..9; after the faults it wants 5 more acknowledgements. Records every answer. */
    static final class Adds implements Workload {
        final Map<Long, Long> answerAtIndex = new HashMap<>();
        int acknowledgedAfterHeal;

        @Override
        public StateMachine newStateMachine() {
            return new Counter();
        }

        @Override
        public Command next(Random random, boolean healed) {
            long add = 1 + random.nextInt(9);
            return finished() ? null : new Command(healed ? 1 : 0, ByteBuffer.allocate(8).putLong(add).array());
        }

        @Override
        public void acknowledged(Proposal proposal, byte[] result) {
            answerAtIndex.put(proposal.index(), ByteBuffer.wrap(result).getLong());
            acknowledgedAfterHeal += proposal.client();
        }

        @Override
        public boolean finished() {
            return acknowledgedAfterHeal >= 5;
        }
    }

    /** Every acknowledged add answered the sum of the committed log up to its entry. */
    static void check(Adds workload, Simulation.Result result) {
        long sum = 0;
        for (LogEntry e : result.committedLog()) {
            if (e.type() == LogEntry.Type.COMMAND) {
                sum += ByteBuffer.wrap(e.data()).getLong();
                Long answer = workload.answerAtIndex.get(e.index());
                assertThat(answer == null || answer == sum).as("answer at %d", e.index()).isTrue();
            }
        }
    }

    @Test
    void countsRightUnderFaults() {
        for (long seed : SeedSweep.seeds(20)) {
            Adds workload = new Adds();
            SimConfig config = SimConfig.forSeed(seed, 3, 20 * SimConfig.SECOND);
            String replay = "mvn test -Dtest=CounterSimulationExampleTest -Dsim.seed=" + seed;
            new Simulation(seed, config, workload, replay).run(result -> check(workload, result));
        }
    }

    /** The history check can fail: an answer off by one is caught, and the failure names the seed. */
    @Test
    void aWrongAnswerIsCaughtWithItsSeed() {
        Adds workload = new Adds();
        Simulation simulation = new Simulation(3, SimConfig.forSeed(3, 3, 5 * SimConfig.SECOND), workload,
                "replay-3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> simulation.run(result -> {
            workload.answerAtIndex.replaceAll((index, answer) -> answer + 1);
            check(workload, result);
        })).isInstanceOf(SimulationFailure.class).hasMessageContaining("seed: 3").hasMessageContaining("replay-3");
    }
}
