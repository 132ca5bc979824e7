package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqResult.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Producers that outrun consumers meet a bound, not an out-of-memory error; and the bound never makes
 * two nodes apply the same entry differently.
 */
class QueueBoundTest {
    private static final long MESSAGE = TopicStateMachine.footprint("0123456789");
    private static final long TEN_MESSAGES = 10 * MESSAGE;

    private static MachineDriver nodeWithTopic() {
        MachineDriver node = new MachineDriver(new TopicStateMachine());
        node.create("t");
        return node;
    }

    @Test
    void admitsPutsUpToTheBoundCountingTheAppliedQueues() {
        MachineDriver node = nodeWithTopic();
        QueueBound bound = QueueBound.of(TEN_MESSAGES, node.machine);
        for (int i = 0; i < 10; i++) {
            assertThat(bound.tryReserve(MESSAGE)).isTrue();
            node.put("t", "0123456789");
            bound.release(MESSAGE);
        }

        assertThat(bound.tryReserve(MESSAGE)).as("an eleventh message").isFalse();
        assertThat(bound.reservedBytes()).isZero();

        node.pop("t");
        assertThat(bound.tryReserve(MESSAGE)).as("after a pop made room").isTrue();
    }

    @Test
    void countsPutsProposedAndNotYetAppliedSoConcurrentPutsCannotOvershoot() throws Exception {
        MachineDriver node = nodeWithTopic();
        QueueBound bound = QueueBound.of(TEN_MESSAGES, node.machine);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                attempts.add(pool.submit(() -> {
                    go.await();
                    return bound.tryReserve(MESSAGE);
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> f : attempts) {
                admitted += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(10);
            assertThat(bound.reservedBytes()).isEqualTo(TEN_MESSAGES);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommittedPutIsAppliedWhateverTheQueuesHold() {
        // The leader admitted it under its own bound; a node with a smaller one must still apply it,
        // or that node would lose an acknowledged message after a failover.
        MachineDriver node = nodeWithTopic();
        for (int i = 0; i < 1000; i++) {
            assertThat(node.put("t", "0123456789").outcome()).isEqualTo(Outcome.OK);
        }
        assertThat(node.machine.messageCount()).isEqualTo(1000);
        assertThat(node.machine.queuedBytes()).isEqualTo(1000 * MESSAGE);
    }

    @Test
    void theChargedBytesAreRebuiltFromASnapshot() throws IOException {
        MachineDriver node = nodeWithTopic();
        node.put("t", "0123456789");
        node.put("t", "");
        TopicStateMachine restored = new TopicStateMachine();

        restored.restoreSnapshot(new ByteArrayInputStream(snapshotOf(node.machine)));

        assertThat(restored.queuedBytes()).isEqualTo(node.machine.queuedBytes())
                .isEqualTo(TopicStateMachine.footprint("0123456789") + TopicStateMachine.footprint(""));
    }

    @Test
    void refusesANonPositiveBound() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new QueueBound(0, () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
