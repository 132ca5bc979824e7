package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Randomized specifications. jqwik chooses the seed, shrinks a failing sequence and prints the seed
 * to replay it with {@code @Property(seed = "...")}.
 */
class TopicStateMachinePropertiesTest {

    @Property(tries = 200)
    void agreesWithASimpleReferenceModel(@ForAll("entrySequences") List<byte[]> entries) {
        MachineDriver node = new MachineDriver();
        ReferenceModel model = new ReferenceModel();

        for (int step = 0; step < entries.size(); step++) {
            byte[] entry = entries.get(step);
            if (!model.models(entry)) {
                break; // a corruption that decodes into a consumer command: the model stops here
            }
            MqResult expected = model.apply(entry);

            assertThat(MqCodec.decodeResult(node.applyBytes(entry))).as("step %d", step).isEqualTo(expected);
            assertThat(node.machine.topicCount()).isEqualTo(model.topicCount());
            assertThat(node.machine.messageCount()).isEqualTo(model.messageCount());
        }
    }

    /**
     * Two replicas fed the same log return the same bytes at every step, and a third that joins
     * half-way through from a snapshot of the first continues in lockstep with both.
     */
    @Property(tries = 200)
    void replicasFedTheSameEntriesAnswerIdentically(
            @ForAll("entrySequences") List<byte[]> entries, @ForAll @IntRange(max = 200) int joinAt)
            throws IOException {
        MachineDriver first = new MachineDriver();
        MachineDriver second = new MachineDriver();
        MachineDriver late = null;
        int join = Math.min(joinAt, entries.size());

        for (int step = 0; step < entries.size(); step++) {
            if (step == join) {
                late = restoredFrom(first.machine);
            }
            byte[] entry = entries.get(step);
            byte[] expected = first.applyBytes(entry);
            assertThat(second.applyBytes(entry)).as("step %d", step).isEqualTo(expected);
            if (late != null) {
                assertThat(late.applyBytes(entry)).as("late joiner, step %d", step).isEqualTo(expected);
            }
        }
        byte[] snapshot = MachineDriver.snapshotOf(first.machine);
        assertThat(MachineDriver.snapshotOf(second.machine)).isEqualTo(snapshot);
    }

    @Property(tries = 200)
    void snapshotRoundTripPreservesEveryObservableState(
            @ForAll("entrySequences") List<byte[]> history,
            @ForAll("entrySequences") List<byte[]> staleHistory)
            throws IOException {
        MachineDriver original = new MachineDriver();
        history.forEach(original::applyBytes);
        MachineDriver stale = new MachineDriver();
        staleHistory.forEach(stale::applyBytes);
        byte[] snapshot = MachineDriver.snapshotOf(original.machine);

        stale.machine.restoreSnapshot(new ByteArrayInputStream(snapshot));

        assertThat(MachineDriver.snapshotOf(stale.machine)).isEqualTo(snapshot);
        assertThat(stale.machine.lastAppliedIndex()).isEqualTo(original.machine.lastAppliedIndex());
        assertThat(stale.machine.topicCount()).isEqualTo(original.machine.topicCount());
        assertThat(stale.machine.messageCount()).isEqualTo(original.machine.messageCount());
        assertThat(stale.machine.topics()).isEqualTo(original.machine.topics());
        assertThat(stale.drainAll()).isEqualTo(original.drainAll());
    }

    private static MachineDriver restoredFrom(TopicStateMachine source) throws IOException {
        TopicStateMachine copy = new TopicStateMachine();
        copy.restoreSnapshot(new ByteArrayInputStream(MachineDriver.snapshotOf(source)));
        return new MachineDriver(copy);
    }

    @Provide
    Arbitrary<List<byte[]>> entrySequences() {
        return MqArbitraries.entrySequences();
    }
}
