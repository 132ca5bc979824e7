package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Batch puts, at-least-once receive/ack/nack with stamped time, and dead letters. */
class ConsumerStateMachineTest {
    private final MachineDriver driver = new MachineDriver();
    private int nonceCounter;

    private MqResult stamped(long now, MqCommand command) {
        byte[] nonce = new byte[16];
        nonce[0] = (byte) ++nonceCounter;
        return driver.apply(new MqCommand.Stamped(now, nonce, command));
    }

    private List<MqResult.Delivery> receive(long now, String topic, int max, long visibility) {
        MqResult result = stamped(now, new MqCommand.Receive(topic, max, visibility));
        assertThat(result.outcome()).isEqualTo(MqResult.Outcome.OK);
        return result.deliveries();
    }

    private int ack(long now, String topic, String... receipts) {
        return stamped(now, new MqCommand.Ack(topic, List.of(receipts))).count();
    }

    private int nack(long now, String topic, String... receipts) {
        return stamped(now, new MqCommand.Nack(topic, List.of(receipts))).count();
    }

    private static List<String> messages(List<MqResult.Delivery> deliveries) {
        return deliveries.stream().map(MqResult.Delivery::message).toList();
    }

    private void putAll(String topic, String... messages) {
        assertThat(driver.apply(new MqCommand.PutBatch(topic, List.of(messages))).count()).isEqualTo(messages.length);
    }

    @Test
    void batchPutAppendsAllInOrderOrNothing() {
        driver.create("t");
        putAll("t", "a", "b", "c");
        assertThat(driver.apply(new MqCommand.PutBatch("missing", List.of("x"))).outcome())
                .isEqualTo(MqResult.Outcome.NO_SUCH_TOPIC);
        assertThat(driver.pop("t").message()).isEqualTo("a");
        assertThat(driver.pop("t").message()).isEqualTo("b");
        assertThat(driver.pop("t").message()).isEqualTo("c");
        assertThat(driver.machine.messageCount()).isZero();
    }

    @Test
    void receivedMessagesStayInvisibleUntilAckedAndAreNeverDeliveredAgain() {
        driver.create("t");
        putAll("t", "a", "b", "c");
        List<MqResult.Delivery> got = receive(1000, "t", 2, 30_000);
        assertThat(messages(got)).containsExactly("a", "b");
        assertThat(got).allSatisfy(d -> {
            assertThat(d.receipt()).matches("[0-9a-f]{32}");
            assertThat(d.deliveries()).isEqualTo(1);
        });
        assertThat(driver.pop("t").message()).as("in-flight messages are invisible").isEqualTo("c");
        assertThat(driver.pop("t").outcome()).isEqualTo(MqResult.Outcome.QUEUE_EMPTY);

        assertThat(ack(2000, "t", got.get(0).receipt(), got.get(1).receipt(), got.get(0).receipt())).isEqualTo(2);
        assertThat(ack(2001, "t", got.get(0).receipt())).as("receipts are single-use").isZero();
        stamped(10_000_000, new MqCommand.Tick());
        assertThat(driver.pop("t").outcome()).isEqualTo(MqResult.Outcome.QUEUE_EMPTY);
        assertThat(driver.machine.messageCount()).isZero();
        assertThat(driver.machine.queuedBytes()).isZero();
    }

    @Test
    void unackedMessagesComeBackAfterTheVisibilityAheadOfNewerOnesInOriginalOrder() {
        driver.create("t");
        putAll("t", "a", "b", "c", "d");
        List<MqResult.Delivery> first = receive(1000, "t", 1, 5000);    // a, due 6000
        List<MqResult.Delivery> second = receive(1001, "t", 2, 1000);   // b c, due 2001
        assertThat(messages(receive(2000, "t", 10, 1000))).containsExactly("d");
        // 2001: b and c are due, a is not
        List<MqResult.Delivery> again = receive(2001, "t", 10, 1000);
        assertThat(messages(again)).containsExactly("b", "c");
        assertThat(again).allSatisfy(d -> assertThat(d.deliveries()).isEqualTo(2));
        assertThat(ack(2002, "t", second.get(0).receipt())).as("the old receipt died with its delivery").isZero();
        stamped(6000, new MqCommand.Tick()); // a, b, c (due 3001) and d (due 3000) are back
        assertThat(driver.pop("t").message()).isEqualTo("a");
        assertThat(driver.pop("t").message()).isEqualTo("b");
        assertThat(driver.pop("t").message()).isEqualTo("c");
        assertThat(driver.pop("t").message()).isEqualTo("d");
        assertThat(ack(6001, "t", first.get(0).receipt())).isZero();
    }

    @Test
    void timeNeverGoesBackEvenWhenALaterStampIsBehind() {
        driver.create("t");
        putAll("t", "a");
        List<MqResult.Delivery> got = receive(10_000, "t", 1, 1000);
        stamped(5_000, new MqCommand.Tick()); // a new leader whose clock is behind
        assertThat(driver.machine.clockMillis()).isEqualTo(10_000);
        // Receive stamped 9_000 runs at 10_000: the deadline is 11_000, not 10_000.
        assertThat(receive(9_000, "t", 1, 1000)).isEmpty();
        assertThat(ack(10_999, "t", got.get(0).receipt())).isEqualTo(1);
    }

    @Test
    void ackOfAnExpiredDeliveryCountsNothingAndTheMessageStays() {
        driver.create("t");
        putAll("t", "a");
        List<MqResult.Delivery> got = receive(0, "t", 1, 1000);
        assertThat(ack(1000, "t", got.get(0).receipt())).isZero();
        assertThat(driver.pop("t").message()).isEqualTo("a");
    }

    @Test
    void nackMakesVisibleAtOnceAndAcksForAnotherTopicCountNothing() {
        driver.create("t");
        driver.create("u");
        putAll("t", "a", "b");
        List<MqResult.Delivery> got = receive(0, "t", 2, 60_000);
        assertThat(ack(1, "u", got.get(0).receipt())).isZero();
        assertThat(nack(2, "t", got.get(1).receipt(), "0123456789abcdef0123456789abcdef")).isEqualTo(1);
        List<MqResult.Delivery> again = receive(3, "t", 5, 60_000);
        assertThat(messages(again)).containsExactly("b");
        assertThat(again.get(0).deliveries()).isEqualTo(2);
        assertThat(stamped(4, new MqCommand.Ack("missing", List.of())).outcome()).isEqualTo(MqResult.Outcome.NO_SUCH_TOPIC);
    }

    @Test
    void deadLettersMoveOnceAfterMaxDeliveries() {
        driver.create("t");
        driver.create("dead");
        assertThat(driver.apply(new MqCommand.SetPolicy("t", 2, "nowhere")).outcome()).isEqualTo(MqResult.Outcome.NO_SUCH_TOPIC);
        assertThat(driver.apply(new MqCommand.SetPolicy("t", 2, "dead")).outcome()).isEqualTo(MqResult.Outcome.OK);
        putAll("t", "a", "b");
        List<MqResult.Delivery> one = receive(0, "t", 2, 100);
        nack(1, "t", one.get(0).receipt());                      // a: 1st delivery ended -> back
        List<MqResult.Delivery> two = receive(2, "t", 1, 100);   // a again (2nd)
        assertThat(two.get(0).deliveries()).isEqualTo(2);
        stamped(200, new MqCommand.Tick());                      // a's 2nd ends -> dead; b's 1st -> back
        assertThat(messages(receive(201, "dead", 10, 100))).containsExactly("a");
        assertThat(messages(receive(202, "t", 10, 100))).containsExactly("b");
        assertThat(driver.machine.messageCount()).isEqualTo(2);
    }

    @Test
    void anUnstampedReceiveIsRefusedAndChangesNothing() {
        driver.create("t");
        putAll("t", "a");
        assertThat(driver.apply(new MqCommand.Receive("t", 1, 1000)).outcome()).isEqualTo(MqResult.Outcome.INVALID_COMMAND);
        assertThat(driver.pop("t").message()).isEqualTo("a");
    }

    @Test
    void retriedReceiveWithTheSameIdReplaysTheSameDeliveriesButAnEmptyOneIsNotRemembered() {
        driver.create("t");
        MqCommand receive = new MqCommand.Identified("r1", new MqCommand.Receive("t", 1, 1000));
        assertThat(stamped(0, receive).deliveries()).isEmpty();
        putAll("t", "a");
        MqResult first = stamped(1, receive);
        MqResult retry = stamped(2, receive); // another stamp and nonce: still a retry
        assertThat(messages(first.deliveries())).containsExactly("a");
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.deliveries()).isEqualTo(first.deliveries());
        assertThat(stamped(3, new MqCommand.Identified("r1", new MqCommand.Receive("t", 2, 1000))).outcome())
                .isEqualTo(MqResult.Outcome.REQUEST_ID_REUSED);
    }

    @Test
    void snapshotRestoresConsumerStateExactlyAndBothMachinesContinueAlike() throws IOException {
        driver.create("t");
        driver.create("dead");
        driver.apply(new MqCommand.SetPolicy("t", 3, "dead"));
        putAll("t", "a", "b", "c", "d");
        List<MqResult.Delivery> got = receive(100, "t", 3, 1000);
        nack(101, "t", got.get(1).receipt());
        byte[] snapshot = snapshotOf(driver.machine);
        MachineDriver copy = new MachineDriver();
        copy.machine.restoreSnapshot(new ByteArrayInputStream(snapshot));
        assertThat(snapshotOf(copy.machine)).isEqualTo(snapshot);
        assertThat(copy.machine.nextDeadlineMillis()).isEqualTo(1100);

        List<byte[]> results = new ArrayList<>();
        for (MachineDriver d : List.of(driver, copy)) {
            byte[] nonce = new byte[16];
            long index = d.machine.lastAppliedIndex();
            results.add(d.machine.apply(index + 1, MqCodec.encodeCommand(
                    new MqCommand.Stamped(5000, nonce, new MqCommand.Receive("t", 10, 10)))));
            results.add(d.machine.apply(index + 2, MqCodec.encodeCommand(
                    new MqCommand.Stamped(5000, nonce, new MqCommand.Ack("t", List.of(got.get(0).receipt()))))));
        }
        assertThat(results.get(2)).isEqualTo(results.get(0));
        assertThat(messages(MqCodec.decodeResult(results.get(0)).deliveries())).containsExactly("a", "b", "c", "d");
        assertThat(snapshotOf(copy.machine)).isEqualTo(snapshotOf(driver.machine));
    }

    @Test
    void readsAVersion2SnapshotWithoutConsumerState() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(64).putInt(0x524D5153).put((byte) 2).putLong(5).putInt(1)
                .putInt(1).put((byte) 't').putInt(1).putInt(1).put((byte) 'm').putInt(0);
        byte[] bytes = java.util.Arrays.copyOf(body.array(), body.position() + 4);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, body.position());
        ByteBuffer.wrap(bytes).putInt(body.position(), (int) crc.getValue());
        driver.machine.restoreSnapshot(new ByteArrayInputStream(bytes));
        assertThat(driver.machine.lastAppliedIndex()).isEqualTo(5);
        assertThat(messages(receive(1, "t", 5, 10))).containsExactly("m");
    }

    @Test
    void listenerHearsOfPutsBatchesNacksAndExpiries() {
        List<String> heard = new ArrayList<>();
        driver.machine.setVisibilityListener((topic, visible) -> heard.add(topic + "=" + visible));
        driver.create("t");
        driver.put("t", "a");
        putAll("t", "b");
        List<MqResult.Delivery> got = receive(0, "t", 2, 10);
        nack(1, "t", got.get(0).receipt());
        stamped(20, new MqCommand.Tick());
        assertThat(heard).containsExactly("t=1", "t=2", "t=1", "t=2");
    }
}
