package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class TopicStateMachineSnapshotTest {

    private static MachineDriver sample() {
        MachineDriver node = new MachineDriver();
        node.create("orders");
        node.create("🙂 שלום");
        node.create("empty");
        node.put("orders", "one");
        node.put("orders", "");
        node.put("🙂 שלום", "𝄞 مرحبا");
        node.put("orders", "three");
        node.pop("orders");
        node.apply(new MqCommand.Identified("put-1", new MqCommand.PutMessage("orders", "four")));
        node.apply(new MqCommand.Identified("pop-1", new MqCommand.PopMessage("orders")));
        return node;
    }

    @Test
    void restoresTopicsMessagesAndIndexIntoAFreshMachine() throws IOException {
        MachineDriver original = sample();
        MachineDriver restored = new MachineDriver();

        restored.machine.restoreSnapshot(new ByteArrayInputStream(snapshotOf(original.machine)));

        assertThat(restored.machine.lastAppliedIndex()).isEqualTo(original.machine.lastAppliedIndex());
        assertThat(restored.machine.topicCount()).isEqualTo(3);
        assertThat(restored.machine.messageCount()).isEqualTo(3);
        assertThat(restored.machine.rememberedRequestCount()).isEqualTo(2);
        assertThat(restored.drainAll()).isEqualTo(original.drainAll())
                .isEqualTo(Map.of("orders", List.of("three", "four"), "🙂 שלום", List.of("𝄞 مرحبا"),
                        "empty", List.of()));
    }

    @Test
    void replacesWhateverStateWasThereBefore() throws IOException {
        MachineDriver original = sample();
        MachineDriver restored = new MachineDriver();
        for (int i = 0; i < 50; i++) {
            restored.create("stale-" + i);
            restored.put("stale-" + i, "old");
        }

        restored.machine.restoreSnapshot(new ByteArrayInputStream(snapshotOf(original.machine)));

        assertThat(snapshotOf(restored.machine)).isEqualTo(snapshotOf(original.machine));
        assertThat(restored.machine.topics()).containsExactly("orders", "🙂 שלום", "empty");
    }

    @Test
    void writesTheDocumentedHeaderAndAValidTrailingChecksum() {
        byte[] snapshot = snapshotOf(new MachineDriver().machine);

        assertThat(snapshot).hasSize(4 + 1 + 8 + 8 + 8 + 4 + 4 + 4 + 4);
        ByteBuffer buf = ByteBuffer.wrap(snapshot);
        assertThat(buf.getInt()).isEqualTo(0x524D5153);
        assertThat(buf.get()).isEqualTo((byte) 3);
        assertThat(buf.getLong()).isZero();
        assertThat(buf.getLong()).as("clock").isZero();
        assertThat(buf.getLong()).as("next delivery order").isZero();
        assertThat(buf.getInt()).as("topics").isZero();
        assertThat(buf.getInt()).as("live deliveries").isZero();
        assertThat(buf.getInt()).as("remembered requests").isZero();
        CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length - 4);
        assertThat(buf.getInt()).isEqualTo((int) crc.getValue());
    }

    @Test
    void rejectsEverySingleByteCorruptionAndKeepsTheCurrentState() {
        byte[] good = snapshotOf(sample().machine);
        MachineDriver target = new MachineDriver();
        target.create("mine");
        target.put("mine", "untouched");
        byte[] before = snapshotOf(target.machine);

        for (int position = 0; position < good.length; position++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] corrupt = good.clone();
                corrupt[position] ^= (byte) mask;

                assertThatThrownBy(() -> target.machine.restoreSnapshot(new ByteArrayInputStream(corrupt)))
                        .as("byte %d xor 0x%02x", position, mask)
                        .isInstanceOf(IOException.class);
                assertThat(snapshotOf(target.machine)).isEqualTo(before);
            }
        }
    }

    @Test
    void rejectsEveryTruncationAndTrailingBytes() {
        byte[] good = snapshotOf(sample().machine);
        TopicStateMachine target = new TopicStateMachine();

        for (int length = 0; length < good.length; length++) {
            byte[] truncated = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> target.restoreSnapshot(new ByteArrayInputStream(truncated)))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(IOException.class);
        }
        byte[] extended = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> target.restoreSnapshot(new ByteArrayInputStream(extended)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("trailing");
        assertThat(target.topicCount()).isZero();
    }

    @Test
    void rejectsAnUnknownVersionEvenWithAValidChecksum() {
        byte[] snapshot = withChecksum(ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + 4)
                .putInt(0x524D5153).put((byte) 5).putLong(0).putInt(0).putInt(0));

        assertThatThrownBy(() -> new TopicStateMachine().restoreSnapshot(new ByteArrayInputStream(snapshot)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 5");
    }

    @Test
    void readsAVersionOneSnapshotWithoutRequestTable() throws IOException {
        byte[] name = "orders".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] message = "hi".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] snapshot = withChecksum(ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + name.length + 4 + 4 + message.length + 4)
                .putInt(0x524D5153).put((byte) 1).putLong(7).putInt(1)
                .putInt(name.length).put(name).putInt(1).putInt(message.length).put(message));
        TopicStateMachine machine = new TopicStateMachine();

        machine.restoreSnapshot(new ByteArrayInputStream(snapshot));

        assertThat(machine.topics()).containsExactly("orders");
        assertThat(machine.lastAppliedIndex()).isEqualTo(7);
        assertThat(machine.rememberedRequestCount()).isZero();
    }

    @Test
    void rejectsADuplicateTopicEvenWithAValidChecksum() {
        byte[] name = "t".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(4 + 1 + 8 + 4 + 2 * (4 + name.length + 4) + 4)
                .putInt(0x524D5153).put((byte) 1).putLong(9).putInt(2);
        for (int i = 0; i < 2; i++) {
            buf.putInt(name.length).put(name).putInt(0);
        }
        byte[] snapshot = withChecksum(buf);

        assertThatThrownBy(() -> new TopicStateMachine().restoreSnapshot(new ByteArrayInputStream(snapshot)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("twice");
    }

    /**
     * Found by fuzzing: a checksummed snapshot remembering an empty result was restored, and the
     * retry of that request then failed inside apply (ArrayIndexOutOfBoundsException in
     * markReplayed), which stops the node on a committed entry.
     */
    @Test
    void rejectsARememberedResultThatIsNotAResultEvenWithAValidChecksum() throws Exception {
        MqCommand.CreateTopic write = new MqCommand.CreateTopic("t");
        byte[] id = "r1".getBytes(StandardCharsets.UTF_8);
        byte[] fingerprint = java.security.MessageDigest.getInstance("SHA-256").digest(MqCodec.encodeCommand(write));
        byte[] snapshot = withChecksum(ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + 4 + id.length + 8 + 32 + 4 + 4)
                .putInt(0x524D5153).put((byte) 2).putLong(5).putInt(0)
                .putInt(1).putInt(id.length).put(id).putLong(5).put(fingerprint).putInt(0));
        MachineDriver node = new MachineDriver();
        node.create("mine");
        byte[] before = snapshotOf(node.machine);

        assertThatThrownBy(() -> node.machine.restoreSnapshot(new ByteArrayInputStream(snapshot)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("remembered request");
        assertThat(snapshotOf(node.machine)).isEqualTo(before);
        assertThat(node.identified("r1", write).replayed()).isFalse();
    }

    @Test
    void survivesHugeClaimedLengthsWithoutAllocatingThem() {
        // One topic whose name claims ~2 GiB, followed by only a few bytes.
        byte[] snapshot = ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + 3)
                .putInt(0x524D5153).put((byte) 1).putLong(1).putInt(1).putInt(0x7FFF_FFF0)
                .put(new byte[] {'a', 'b', 'c'}).array();

        assertThatThrownBy(() -> new TopicStateMachine().restoreSnapshot(new ByteArrayInputStream(snapshot)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void flushesButNeverClosesTheCallersStreams() throws IOException {
        boolean[] closed = {false, false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        FilterOutputStream out = new FilterOutputStream(sink) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        sample().machine.writeSnapshot(out);
        assertThat(sink.size()).isPositive();

        InputStream in = new ByteArrayInputStream(sink.toByteArray()) {
            @Override
            public void close() {
                closed[1] = true;
            }
        };
        new TopicStateMachine().restoreSnapshot(in);

        assertThat(closed).containsExactly(false, false);
    }

    /** A deep state survives the round trip; how fast it goes is SnapshotBench's job, not a test's. */
    @Test
    void snapshotsAMillionMessages() throws IOException {
        MachineDriver node = new MachineDriver(new TopicStateMachine(RequestRetention.defaults()));
        for (int t = 0; t < 10; t++) {
            node.create("topic-" + t);
        }
        for (int i = 0; i < 1_000_000; i++) {
            node.put("topic-" + (i % 10), "message " + i);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 << 20);
        node.machine.writeSnapshot(out);
        TopicStateMachine restored = new TopicStateMachine();
        restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));

        assertThat(restored.messageCount()).isEqualTo(1_000_000);
        assertThat(MachineDriver.snapshotOf(restored)).isEqualTo(out.toByteArray());
    }

    private static byte[] withChecksum(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        return buf.putInt((int) crc.getValue()).array();
    }
}
