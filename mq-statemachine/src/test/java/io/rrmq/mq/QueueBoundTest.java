package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCommand.PutMessage;
import io.rrmq.mq.MqResult.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Producers that outrun consumers meet a bound, not an out-of-memory error. */
class QueueBoundTest {
    private static final long TEN_MESSAGES = 10 * TopicStateMachine.footprint("0123456789");

    private static MachineDriver boundedToTenMessages() {
        MachineDriver node = new MachineDriver(new TopicStateMachine(RequestRetention.defaults(), TEN_MESSAGES));
        node.create("t");
        return node;
    }

    @Test
    void aPutPastTheBoundIsRefusedAndChangesNothing() {
        MachineDriver node = boundedToTenMessages();
        for (int i = 0; i < 10; i++) {
            assertThat(node.put("t", "01234567" + String.format("%02d", i)).outcome()).isEqualTo(Outcome.OK);
        }
        byte[] before = MachineDriver.stateOf(node.machine);

        MqResult refused = node.put("t", "0123456789");

        assertThat(refused.outcome()).isEqualTo(Outcome.QUEUE_FULL);
        assertThat(node.machine.messageCount()).isEqualTo(10);
        assertThat(node.machine.queuedBytes()).isEqualTo(TEN_MESSAGES);
        assertThat(MachineDriver.stateOf(node.machine)).as("only the applied index moved").isEqualTo(before);
    }

    @Test
    void aPopMakesRoomAgain() {
        MachineDriver node = boundedToTenMessages();
        for (int i = 0; i < 10; i++) {
            node.put("t", "0123456789");
        }
        assertThat(node.put("t", "0123456789").outcome()).isEqualTo(Outcome.QUEUE_FULL);

        node.pop("t");

        assertThat(node.put("t", "0123456789").outcome()).isEqualTo(Outcome.OK);
    }

    @Test
    void aRefusedIdentifiedPutIsNotRememberedSoItsRetryRunsOnceThereIsRoom() {
        MachineDriver node = boundedToTenMessages();
        for (int i = 0; i < 10; i++) {
            node.put("t", "0123456789");
        }
        PutMessage put = new PutMessage("t", "abcdefghij");

        MqResult first = node.identified("p-1", put);
        node.pop("t");
        MqResult retry = node.identified("p-1", put);
        MqResult again = node.identified("p-1", put);

        assertThat(first.outcome()).isEqualTo(Outcome.QUEUE_FULL);
        assertThat(retry.outcome()).isEqualTo(Outcome.OK);
        assertThat(retry.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(node.machine.messageCount()).isEqualTo(10);
    }

    @Test
    void theChargedBytesAreRebuiltFromASnapshot() throws IOException {
        MachineDriver node = boundedToTenMessages();
        node.put("t", "0123456789");
        node.put("t", "");
        TopicStateMachine restored = new TopicStateMachine(RequestRetention.defaults(), TEN_MESSAGES);

        restored.restoreSnapshot(new ByteArrayInputStream(snapshotOf(node.machine)));

        assertThat(restored.queuedBytes()).isEqualTo(node.machine.queuedBytes())
                .isEqualTo(TopicStateMachine.footprint("0123456789") + TopicStateMachine.footprint(""));
    }
}
