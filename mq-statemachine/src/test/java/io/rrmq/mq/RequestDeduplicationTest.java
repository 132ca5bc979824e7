package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.mq.MqCommand.CreateTopic;
import io.rrmq.mq.MqCommand.Identified;
import io.rrmq.mq.MqCommand.ListTopics;
import io.rrmq.mq.MqCommand.PopMessage;
import io.rrmq.mq.MqCommand.PutMessage;
import io.rrmq.mq.MqResult.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A write carrying a request id takes effect at most once, however often it is retried. */
class RequestDeduplicationTest {

    @Test
    void aRetriedPutIsStoredOnce() {
        MachineDriver node = new MachineDriver();
        node.create("orders");

        MqResult first = node.identified("p1", new PutMessage("orders", "hi"));
        MqResult retry = node.identified("p1", new PutMessage("orders", "hi"));

        assertThat(first).isEqualTo(MqResult.ok());
        assertThat(retry.outcome()).isEqualTo(Outcome.OK);
        assertThat(retry.replayed()).isTrue();
        assertThat(node.machine.messageCount()).isEqualTo(1);
    }

    @Test
    void aRetriedPopReturnsTheSameMessageAndPopsNothingMore() {
        MachineDriver node = new MachineDriver();
        node.create("orders");
        node.put("orders", "one");
        node.put("orders", "two");

        MqResult first = node.identified("c1", new PopMessage("orders"));
        MqResult retry = node.identified("c1", new PopMessage("orders"));

        assertThat(first.message()).isEqualTo("one");
        assertThat(retry.message()).isEqualTo("one");
        assertThat(retry.replayed()).isTrue();
        assertThat(node.pop("orders").message()).isEqualTo("two");
    }

    @Test
    void aRetryGetsTheOriginalAnswerEvenWhenTheStateChangedSince() {
        MachineDriver node = new MachineDriver();

        MqResult first = node.identified("t1", new CreateTopic("orders"));
        node.pop("orders");
        MqResult retriedCreate = node.identified("t1", new CreateTopic("orders"));
        MqResult putBeforeTopic = node.identified("p1", new PutMessage("later", "x"));
        node.create("later");
        MqResult retriedPut = node.identified("p1", new PutMessage("later", "x"));

        assertThat(first.outcome()).isEqualTo(Outcome.OK);
        assertThat(retriedCreate.outcome()).as("not TOPIC_EXISTS: the retry is the same create").isEqualTo(Outcome.OK);
        assertThat(putBeforeTopic.outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
        assertThat(retriedPut.outcome()).as("a definite failure stays a failure").isEqualTo(Outcome.NO_SUCH_TOPIC);
        assertThat(node.machine.messageCount()).isZero();
    }

    @Test
    void anIdReusedForAnotherCommandIsRefusedAndChangesNothing() {
        MachineDriver node = new MachineDriver();
        node.create("orders");
        node.identified("x", new PutMessage("orders", "first"));
        byte[] before = MachineDriver.stateOf(node.machine);

        MqResult reused = node.identified("x", new PutMessage("orders", "second"));

        assertThat(reused.outcome()).isEqualTo(Outcome.REQUEST_ID_REUSED);
        assertThat(MachineDriver.stateOf(node.machine)).isEqualTo(before);
        assertThat(node.identified("x", new PutMessage("orders", "first")).replayed()).isTrue();
        assertThat(MachineDriver.stateOf(node.machine)).isEqualTo(before);
    }

    @Test
    void forgetsTheOldestIdPastTheCountBound() {
        MachineDriver node = new MachineDriver(new TopicStateMachine(new RequestRetention(2, 1 << 20, 1_000)));
        node.create("t");
        node.identified("a", new PutMessage("t", "1"));
        node.identified("b", new PutMessage("t", "2"));
        node.identified("c", new PutMessage("t", "3"));

        assertThat(node.machine.rememberedRequestCount()).isEqualTo(2);
        assertThat(node.identified("c", new PutMessage("t", "3")).replayed()).isTrue();
        assertThat(node.identified("a", new PutMessage("t", "1")).replayed())
                .as("outside the window a retry executes again").isFalse();
        assertThat(node.machine.messageCount()).isEqualTo(4);
    }

    @Test
    void forgetsAnIdOnceItsEntryIsOlderThanTheAgeBound() {
        MachineDriver node = new MachineDriver(new TopicStateMachine(new RequestRetention(100, 1 << 20, 5)));
        node.create("t");                                           // index 1
        node.identified("a", new PutMessage("t", "1"));             // index 2
        node.pop("t");                                              // 3
        node.pop("t");                                              // 4
        node.pop("t");                                              // 5
        node.pop("t");                                              // 6: 6 - 2 < 5, still remembered
        assertThat(node.machine.rememberedRequestCount()).isEqualTo(1);

        node.list();                                                // 7: 7 - 2 >= 5, forgotten

        assertThat(node.machine.rememberedRequestCount()).isZero();
    }

    @Test
    void forgetsOldestFirstPastTheByteBound() {
        MachineDriver node = new MachineDriver(new TopicStateMachine(new RequestRetention(100, 1_000, 1_000)));
        node.create("t");
        for (int i = 0; i < 20; i++) {
            node.put("t", "x".repeat(300));
        }
        for (int i = 0; i < 20; i++) {
            node.identified("pop-" + i, new PopMessage("t"));
        }

        int remembered = node.machine.rememberedRequestCount();
        assertThat(remembered).isBetween(1, 3);
        assertThat(node.identified("pop-19", new PopMessage("t")).replayed()).isTrue();
        assertThat(node.identified("pop-0", new PopMessage("t")).outcome()).isEqualTo(Outcome.QUEUE_EMPTY);
    }

    @Test
    void theRequestTableTravelsInTheSnapshot() throws IOException {
        MachineDriver original = new MachineDriver();
        original.create("orders");
        original.put("orders", "one");
        original.identified("c1", new PopMessage("orders"));
        TopicStateMachine restored = new TopicStateMachine();

        restored.restoreSnapshot(new ByteArrayInputStream(snapshotOf(original.machine)));
        assertThat(snapshotOf(restored)).isEqualTo(snapshotOf(original.machine));
        MqResult retry = new MachineDriver(restored).identified("c1", new PopMessage("orders"));

        assertThat(retry.message()).isEqualTo("one");
        assertThat(retry.replayed()).isTrue();
    }

    @Test
    void theSameIdentifiedCommandsGiveTheSameSnapshotBytes() {
        MachineDriver a = new MachineDriver();
        MachineDriver b = new MachineDriver();
        for (MachineDriver node : new MachineDriver[] {a, b}) {
            node.create("t");
            for (int i = 0; i < 50; i++) {
                node.identified("put-" + i, new PutMessage("t", "m" + i));
                node.identified("put-" + (i / 2), new PutMessage("t", "m" + (i / 2)));
                node.identified("pop-" + (i % 7), new PopMessage("t"));
            }
        }

        assertThat(snapshotOf(a.machine)).isEqualTo(snapshotOf(b.machine));
        assertThat(a.machine.messageCount()).isEqualTo(50 - 7);
    }

    @Test
    void onlyWritesCarryAnIdAndTheIdIsBounded() {
        assertThatThrownBy(() -> new Identified("r", new ListTopics())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Identified("r", new Identified("s", new PopMessage("t"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Identified("", new PopMessage("t"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Identified("x".repeat(65), new PopMessage("t")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Identified("x".repeat(64), new PopMessage("t")).requestId()).hasSize(64);
    }
}
