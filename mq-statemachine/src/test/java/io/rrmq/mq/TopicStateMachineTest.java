package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.mq.MqResult.Outcome;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopicStateMachineTest {
    private final MachineDriver node = new MachineDriver();

    @Test
    void popsInFifoOrderAcrossInterleavedTopics() {
        List<String> topics = List.of("alpha", "beta", "gamma", "delta", "epsilon");
        long[] produced = new long[topics.size()];
        long[] consumed = new long[topics.size()];
        topics.forEach(node::create);
        long seed = 20240611L;
        Random random = new Random(seed);

        for (int step = 0; step < 20_000; step++) {
            int t = random.nextInt(topics.size());
            String topic = topics.get(t);
            if (random.nextInt(5) < 3) {
                assertThat(node.put(topic, topic + "#" + produced[t]++)).isEqualTo(MqResult.ok());
            } else if (consumed[t] < produced[t]) {
                assertThat(node.pop(topic)).as("seed %d step %d", seed, step)
                        .isEqualTo(MqResult.popped(topic + "#" + consumed[t]++));
            } else {
                assertThat(node.pop(topic).outcome()).isEqualTo(Outcome.QUEUE_EMPTY);
            }
        }
        long queued = 0;
        for (int t = 0; t < topics.size(); t++) {
            queued += produced[t] - consumed[t];
        }
        assertThat(node.machine.messageCount()).isEqualTo(queued).isGreaterThan(1000);

        for (int t = 0; t < topics.size(); t++) {
            String topic = topics.get(t);
            while (consumed[t] < produced[t]) {
                assertThat(node.pop(topic)).isEqualTo(MqResult.popped(topic + "#" + consumed[t]++));
            }
            assertThat(node.pop(topic).outcome()).isEqualTo(Outcome.QUEUE_EMPTY);
        }
        assertThat(node.machine.messageCount()).isZero();
    }

    @Test
    void listsTopicsAsAReadOnlyQueryWithTheResultOfApplyingIt() {
        node.create("orders");
        node.create("billing");
        long applied = node.machine.lastAppliedIndex();

        byte[] answer = node.machine.query(MqCodec.encodeCommand(new MqCommand.ListTopics()));

        assertThat(MqCodec.decodeResult(answer).topics()).containsExactly("orders", "billing");
        assertThat(node.machine.lastAppliedIndex()).isEqualTo(applied);
        assertThat(node.list().topics()).containsExactly("orders", "billing");
        assertThatThrownBy(() -> node.machine.query(MqCodec.encodeCommand(new MqCommand.PopMessage("orders"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.machine.query(new byte[] {99})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queryListsTopicsCreatedOrRestoredSinceTheLastQuery() throws Exception {
        node.create("orders");
        byte[] snapshot = MachineDriver.snapshotOf(node.machine);
        assertThat(queryTopics()).containsExactly("orders");

        node.create("billing");
        assertThat(queryTopics()).containsExactly("orders", "billing");
        byte[] answer = node.machine.query(MqCodec.encodeCommand(new MqCommand.ListTopics()));
        java.util.Arrays.fill(answer, (byte) 0); // a caller scribbling on its answer changes no later one
        assertThat(queryTopics()).containsExactly("orders", "billing");

        node.machine.restoreSnapshot(new java.io.ByteArrayInputStream(snapshot));
        assertThat(queryTopics()).containsExactly("orders");
    }

    private List<String> queryTopics() {
        return MqCodec.decodeResult(node.machine.query(MqCodec.encodeCommand(new MqCommand.ListTopics()))).topics();
    }

    @Test
    void refusesToCreateATopicTwiceAndKeepsItsMessages() {
        node.create("orders");
        node.put("orders", "first");

        assertThat(node.create("orders").outcome()).isEqualTo(Outcome.TOPIC_EXISTS);
        assertThat(node.machine.topicCount()).isEqualTo(1);
        assertThat(node.pop("orders")).isEqualTo(MqResult.popped("first"));
    }

    @Test
    void reportsNoSuchTopicForPutAndPop() {
        node.create("orders");

        assertThat(node.put("invoices", "x").outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
        assertThat(node.pop("invoices").outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
        assertThat(node.machine.topicCount()).isEqualTo(1);
        assertThat(node.machine.messageCount()).isZero();
    }

    @Test
    void topicNamesAreCaseAndNormalizationSensitive() {
        node.create("é");

        assertThat(node.put("É", "x").outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
        assertThat(node.put("e\u0301", "x").outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
    }

    @Test
    void reportsQueueEmptyForANewTopicAndAfterDraining() {
        node.create("orders");
        assertThat(node.pop("orders").outcome()).isEqualTo(Outcome.QUEUE_EMPTY);

        node.put("orders", "only");
        node.pop("orders");

        assertThat(node.pop("orders")).isEqualTo(MqResult.of(Outcome.QUEUE_EMPTY));
    }

    @Test
    void storesAndReturnsAnEmptyMessage() {
        node.create("orders");
        node.put("orders", "");

        assertThat(node.machine.messageCount()).isEqualTo(1);
        MqResult popped = node.pop("orders");
        assertThat(popped.outcome()).isEqualTo(Outcome.OK);
        assertThat(popped.message()).isEmpty();
    }

    @Test
    void keepsUnicodeTopicsAndMessagesExactly() {
        String topic = "طلبات 🙂 שלום";
        String message = "👩‍👩‍👧 𝄞 \u202Eevil\u202C \uFFFD \u0000 naïve";
        node.create(topic);
        node.put(topic, message);

        assertThat(node.list().topics()).containsExactly(topic);
        assertThat(node.pop(topic)).isEqualTo(MqResult.popped(message));
    }

    @Test
    void listsTopicsInCreationOrder() {
        assertThat(node.list()).isEqualTo(MqResult.topics(List.of()));
        for (String topic : List.of("zeta", "alpha", "🙂", "mid", "Alpha")) {
            node.create(topic);
        }
        node.create("alpha");

        assertThat(node.list().topics()).containsExactly("zeta", "alpha", "🙂", "mid", "Alpha");
        assertThat(node.machine.topics()).containsExactly("zeta", "alpha", "🙂", "mid", "Alpha");
    }

    @Test
    void answersAnUndecodableCommandWithInvalidCommandAndChangesNothing() {
        node.create("orders");
        node.put("orders", "kept");
        byte[] before = MachineDriver.snapshotOf(node.machine);
        long index = node.machine.lastAppliedIndex();

        for (String hex : List.of("", "02", "0109", "0101000000ff61", "0104ff", "0101" + "00000001" + "ff")) {
            byte[] result = node.applyBytes(HexFormat.of().parseHex(hex));

            assertThat(result).as(hex).isEqualTo(HexFormat.of().parseHex("010500"));
            assertThat(MqCodec.decodeResult(result)).isEqualTo(MqResult.of(Outcome.INVALID_COMMAND));
        }

        assertThat(node.machine.lastAppliedIndex()).isEqualTo(index + 6);
        assertThat(node.machine.topicCount()).isEqualTo(1);
        assertThat(node.machine.messageCount()).isEqualTo(1);
        // Same content: the snapshots differ only in the lastAppliedIndex field (bytes 5..12).
        byte[] after = MachineDriver.snapshotOf(node.machine);
        assertThat(Arrays.copyOfRange(after, 13, after.length - 4))
                .isEqualTo(Arrays.copyOfRange(before, 13, before.length - 4));
        assertThat(node.pop("orders")).isEqualTo(MqResult.popped("kept"));
    }

    @Test
    void tracksLastAppliedIndexAcrossGaps() {
        TopicStateMachine machine = new TopicStateMachine();
        assertThat(machine.lastAppliedIndex()).isZero();

        machine.apply(3, MqCodec.encodeCommand(new MqCommand.CreateTopic("t")));
        machine.apply(7, MqCodec.encodeCommand(new MqCommand.ListTopics()));

        assertThat(machine.lastAppliedIndex()).isEqualTo(7);
    }

    @Test
    void refusesToApplyAnIndexTwiceRatherThanDuplicateAMessage() {
        TopicStateMachine machine = new TopicStateMachine();
        machine.apply(1, MqCodec.encodeCommand(new MqCommand.CreateTopic("t")));
        byte[] put = MqCodec.encodeCommand(new MqCommand.PutMessage("t", "once"));
        machine.apply(2, put);

        assertThatThrownBy(() -> machine.apply(2, put)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> machine.apply(1, put)).isInstanceOf(IllegalStateException.class);
        assertThat(machine.messageCount()).isEqualTo(1);
    }

    @Test
    void returnsAFreshResultArrayEachTime() {
        byte[] entry = MqCodec.encodeCommand(new MqCommand.PopMessage("missing"));
        byte[] first = node.applyBytes(entry);
        first[1] = 0;

        assertThat(MqCodec.decodeResult(node.applyBytes(entry)).outcome()).isEqualTo(Outcome.NO_SUCH_TOPIC);
    }
}
