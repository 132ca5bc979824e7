package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.store.MessageStores;
import io.rrmq.mq.store.FileStores;
import io.rrmq.raft.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine whose bodies are in files, with segments so small that every few messages roll one and
 * acknowledgements delete them, answers byte for byte like one on the heap, under puts, batches,
 * pops, receives, acks, nacks, expiries and dead letters; so does one restored from a snapshot that
 * was captured, then written only after more entries were applied (as the snapshot thread does).
 */
class DiskBackedMachineTest {
    private static final String[] TOPICS = {"orders", "dead", "ünïcode 🙂"};
    private static final int TINY_SEGMENT = 96;

    @TempDir
    Path dir;

    @Test
    void filesAnswerLikeTheHeapThroughConsumersSnapshotsAndRestores() throws IOException {
        for (long seed = 1; seed <= 12; seed++) {
            run(seed);
        }
    }

    @Test
    void aMessageIsChargedItsRecordOnDisk() {
        for (String message : List.of("", "plain", "ü", "€uro", "🙂𝄞", "שלום", "x".repeat(70_000))) {
            assertThat(TopicStateMachine.footprint(message)).as(message)
                    .isEqualTo(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 8L);
        }
    }

    private void run(long seed) throws IOException {
        Random random = new Random(seed);
        Path root = dir.resolve("seed-" + seed);
        Machines machines = new Machines(seed, root,
                new MachineDriver(new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory())),
                new MachineDriver(new TopicStateMachine(RequestRetention.defaults(),
                        new FileStores(root.resolve("disk"), TINY_SEGMENT))));
        List<String> receipts = new ArrayList<>();
        long now = 1_000;
        long delivered = 0;
        for (int step = 0; step < 1_200; step++) {
            now += random.nextInt(50);
            MqResult result = machines.apply(stamped(now, step, next(random, step, receipts)));
            result.deliveries().forEach(d -> receipts.add(d.receipt()));
            delivered += result.deliveries().size();
        }
        assertThat(delivered).as("seed %d: receives delivered", seed).isGreaterThan(50);
        assertThat(segmentFiles(root.resolve("disk"))).as("seed %d: a deep queue, many segments", seed).isGreaterThan(20);
        // Drain: pops take returned messages first, and a clock far ahead expires every delivery.
        for (int step = 0; machines.heap.machine.messageCount() > 0; step++) {
            assertThat(step).as("seed %d: draining ends", seed).isLessThan(100_000);
            now += 1_000;
            machines.apply(step % 2 == 0 ? stamped(now, step, new MqCommand.Tick())
                    : new MqCommand.PopMessage(TOPICS[step / 2 % TOPICS.length]));
        }
        byte[] snapshot = MachineDriver.snapshotOf(machines.heap.machine);
        assertThat(MachineDriver.snapshotOf(machines.disk.machine)).as("seed %d", seed).isEqualTo(snapshot);
        assertThat(MachineDriver.snapshotOf(machines.joiner.machine)).as("seed %d", seed).isEqualTo(snapshot);
        assertThat(machines.disk.machine.messageCount()).as("seed %d drained", seed).isZero();
        // Drained: at most each chain's (small) tail segment is left (three topics and the restored chain).
        assertThat(segmentFiles(root.resolve("disk"))).as("seed %d", seed).isLessThanOrEqualTo(TOPICS.length + 1);
        assertThat(segmentFiles(root.resolve("joiner"))).as("seed %d", seed).isLessThanOrEqualTo(TOPICS.length + 1);
    }

    /**
     * The heap machine (the reference), the disk machine, and a joiner: a disk machine restored at
     * step 700 from a snapshot captured at step 400 and written at step 700, after 300 more entries
     * had released records it holds; it then replays entries 401..700 as a follower would.
     */
    private static final class Machines {
        final long seed;
        final Path root;
        final MachineDriver heap;
        final MachineDriver disk;
        final List<byte[]> entries = new ArrayList<>();
        final List<byte[]> results = new ArrayList<>();
        MachineDriver joiner;
        SnapshotWriter captured;

        Machines(long seed, Path root, MachineDriver heap, MachineDriver disk) {
            this.seed = seed;
            this.root = root;
            this.heap = heap;
            this.disk = disk;
        }

        MqResult apply(MqCommand command) throws IOException {
            int step = entries.size();
            byte[] entry = MqCodec.encodeCommand(command);
            byte[] expected = heap.applyBytes(entry);
            assertThat(disk.applyBytes(entry)).as("seed %d step %d: %s", seed, step, command).isEqualTo(expected);
            if (joiner != null) {
                assertThat(joiner.applyBytes(entry)).as("seed %d step %d, restored", seed, step).isEqualTo(expected);
            }
            entries.add(entry);
            results.add(expected);
            if (step == 400) {
                captured = disk.machine.takeSnapshot();
            } else if (step == 700) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                captured.writeTo(out);
                TopicStateMachine restored = new TopicStateMachine(RequestRetention.defaults(),
                        new FileStores(root.resolve("joiner"), TINY_SEGMENT));
                restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
                joiner = new MachineDriver(restored);
                for (int replay = 401; replay <= 700; replay++) {
                    assertThat(joiner.applyBytes(entries.get(replay))).as("seed %d replay %d", seed, replay)
                            .isEqualTo(results.get(replay));
                }
            }
            return MqCodec.decodeResult(expected);
        }
    }

    static MqCommand next(Random random, int step, List<String> receipts) {
        if (step < TOPICS.length) {
            return new MqCommand.CreateTopic(TOPICS[step]);
        }
        if (step == TOPICS.length) {
            return new MqCommand.SetPolicy(TOPICS[0], 2, TOPICS[1]);
        }
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> new MqCommand.PutMessage(topic, "m" + step + "-" + "x".repeat(random.nextInt(40)));
            case 3 -> new MqCommand.PutBatch(topic, List.of("b" + step + "a", "b" + step + "b 🙂", "b" + step + "c"));
            case 4 -> new MqCommand.PopMessage(topic);
            case 5, 6 -> new MqCommand.Receive(topic, 1 + random.nextInt(3), 1 + random.nextInt(400));
            case 7 -> new MqCommand.Ack(topic, take(random, receipts));
            case 8 -> new MqCommand.Nack(topic, take(random, receipts));
            default -> new MqCommand.Tick();
        };
    }

    /** Receives, acks, nacks and ticks carry the leader's time, as the server stamps them. */
    static MqCommand stamped(long now, int step, MqCommand command) {
        boolean stampable = command instanceof MqCommand.Receive || command instanceof MqCommand.Ack
                || command instanceof MqCommand.Nack || command instanceof MqCommand.Tick;
        return stampable ? new MqCommand.Stamped(now, nonce(step), command) : command;
    }

    private static byte[] nonce(int step) {
        byte[] nonce = new byte[16];
        nonce[0] = (byte) step;
        nonce[1] = (byte) (step >> 8);
        return nonce;
    }

    private static List<String> take(Random random, List<String> receipts) {
        List<String> some = new ArrayList<>();
        for (int i = 0; i < 3 && !receipts.isEmpty(); i++) {
            some.add(receipts.remove(random.nextInt(receipts.size())));
        }
        return some;
    }

    /** The segment files of the live store (a checkpoint's links to them are not counted). */
    static long segmentFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".seg"))
                    .filter(p -> !root.relativize(p).startsWith("checkpoints")).count();
        }
    }
}
