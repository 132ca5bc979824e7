package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.mq.store.FileStores;
import io.rrmq.mq.store.MessageStores;
import io.rrmq.raft.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine in files that crashes after a snapshot (and so its checkpoint) was made, having applied
 * more entries since (its store appended to and deleted from the very files the checkpoint links),
 * resumes from the checkpoint into exactly the snapshot's state: the same snapshot bytes, and the
 * same results as a machine restored from the snapshot for every entry after it. The crash is
 * modelled as a process death that also loses or garbles what was never forced: bytes after the
 * checkpoint's recorded segment ends are replaced by random junk, a half-built checkpoint is left
 * behind, and the live store's directory is whatever the dead process left.
 */
class CheckpointResumeTest {
    private static final int TINY_SEGMENT = 96;

    @TempDir
    Path dir;

    @Test
    void resumesTheSnapshotStateAfterCrashesThatLoseUnforcedBytes() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            run(seed);
        }
    }

    @Test
    void noCheckpointOfThatIndexMeansRestoreTheSnapshot() throws IOException {
        Path root = dir.resolve("other-index");
        TopicStateMachine machine = fileMachine(root);
        MachineDriver driver = new MachineDriver(machine);
        driver.apply(new MqCommand.CreateTopic("t"));
        driver.apply(new MqCommand.PutMessage("t", "one"));
        // The snapshot covers entries 3 and 4 too (the engine's own): the checkpoint is named 4.
        machine.takeSnapshot(4).writeTo(new ByteArrayOutputStream());
        machine.writeSnapshot(new ByteArrayOutputStream()); // a plain snapshot makes no checkpoint
        for (long other : new long[] {2, 3, 5}) {
            assertThat(fileMachine(root).resumeCheckpoint(other)).as("checkpoint %d", other).isFalse();
        }
        TopicStateMachine resumed = fileMachine(root);
        assertThat(resumed.resumeCheckpoint(4)).isTrue();
        assertThat(resumed.lastAppliedIndex()).isEqualTo(2);
        assertThat(new MachineDriver(resumed).apply(new MqCommand.PopMessage("t")).message()).isEqualTo("one");
    }

    @Test
    void aDamagedCheckpointIsNotUsed() throws IOException {
        Path root = dir.resolve("damaged");
        TopicStateMachine machine = fileMachine(root);
        MachineDriver driver = new MachineDriver(machine);
        driver.apply(new MqCommand.CreateTopic("t"));
        machine.takeSnapshot(1).writeTo(new ByteArrayOutputStream());
        Path file = checkpointFile(root);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertThat(fileMachine(root).resumeCheckpoint(1)).isFalse();
    }

    /**
     * A snapshot in files is only a reference to its checkpoint: tiny, and refused by a restore with
     * a message saying what to do. Expanded later (after the machine went on putting, popping and
     * deleting drained segments, and took a second snapshot), it is byte for byte the snapshot a
     * machine writes whole at that index, and restores into a machine that then agrees with the
     * original on every later entry.
     */
    @Test
    void aSnapshotByReferenceExpandsToTheWholeSnapshotOfItsIndex() throws IOException {
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            Path root = dir.resolve("reference-" + seed);
            MachineDriver disk = new MachineDriver(fileMachine(root));
            MachineDriver heap = new MachineDriver(new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory()));
            List<String> receipts = new ArrayList<>();
            List<byte[]> later = new ArrayList<>();
            byte[] reference = null;
            byte[] whole = null;
            long index = 0;
            for (int step = 0; step < 900; step++) {
                byte[] entry = MqCodec.encodeCommand(DiskBackedMachineTest.stamped(1_000L + step * 20L, step,
                        DiskBackedMachineTest.next(random, step, receipts)));
                MqCodec.decodeResult(heap.applyBytes(entry)).deliveries().forEach(d -> receipts.add(d.receipt()));
                disk.applyBytes(entry);
                if (step == 300) {
                    index = disk.machine.lastAppliedIndex();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    disk.machine.takeSnapshot(index).writeTo(out);
                    reference = out.toByteArray();
                    whole = MachineDriver.snapshotOf(heap.machine);
                } else if (step == 600) {
                    disk.machine.takeSnapshot(disk.machine.lastAppliedIndex()).writeTo(new ByteArrayOutputStream());
                } else if (step > 300) {
                    later.add(entry);
                }
            }
            assertThat(reference.length).as("seed %d: a reference", seed).isLessThan(64);
            byte[] ref = reference;
            assertThatThrownBy(() -> new TopicStateMachine().restoreSnapshot(new ByteArrayInputStream(ref)))
                    .isInstanceOf(IOException.class).hasMessageContaining("reference to this node's checkpoint");
            SnapshotWriter expanded = disk.machine.expandSnapshot(index, new ByteArrayInputStream(reference));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            expanded.writeTo(out);
            assertThat(out.toByteArray()).as("seed %d: expanded = whole", seed).isEqualTo(whole);
            assertThat(disk.machine.expandSnapshot(index, new ByteArrayInputStream(whole))).as("whole already").isNull();
            TopicStateMachine restored = new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory());
            restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
            MachineDriver replay = new MachineDriver(restored);
            MachineDriver reference2 = new MachineDriver(new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory()));
            reference2.machine.restoreSnapshot(new ByteArrayInputStream(whole));
            for (byte[] entry : later) {
                assertThat(replay.applyBytes(entry)).isEqualTo(reference2.applyBytes(entry));
            }
        }
    }

    @Test
    void aSnapshotByReferenceWhoseCheckpointIsGoneCannotBeExpanded() throws IOException {
        Path root = dir.resolve("gone");
        TopicStateMachine machine = fileMachine(root);
        MachineDriver driver = new MachineDriver(machine);
        driver.apply(new MqCommand.CreateTopic("t"));
        driver.apply(new MqCommand.PutMessage("t", "one"));
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        machine.takeSnapshot(2).writeTo(reference);
        for (long next = 3; next <= 5; next++) { // the newest two are kept: 2 goes
            driver.apply(new MqCommand.PutMessage("t", "m" + next));
            machine.takeSnapshot(next).writeTo(new ByteArrayOutputStream());
        }
        SnapshotWriter expanded = machine.expandSnapshot(2, new ByteArrayInputStream(reference.toByteArray()));
        assertThatThrownBy(() -> expanded.writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("missing or damaged");
    }

    @Test
    void metadataLargerThanTheReadBufferIsStreamedBackWhole() throws IOException {
        Path root = dir.resolve("large");
        TopicStateMachine machine = fileMachine(root);
        MachineDriver driver = new MachineDriver(machine);
        driver.apply(new MqCommand.CreateTopic("t"));
        // 3,000 remembered requests (~100 bytes each): metadata of ~300 KB, several 64 KiB buffers.
        for (int i = 0; i < 3_000; i++) {
            driver.apply(new MqCommand.Identified("request-" + i + "-" + "r".repeat(40), new MqCommand.PutMessage("t", "m" + i)));
        }
        long index = machine.lastAppliedIndex();
        machine.takeSnapshot(index).writeTo(new ByteArrayOutputStream());
        assertThat(Files.size(checkpointFile(root))).as("metadata past one buffer").isGreaterThan(4 * 65_536);
        TopicStateMachine resumed = fileMachine(root);
        assertThat(resumed.resumeCheckpoint(index)).isTrue();
        assertThat(MachineDriver.snapshotOf(resumed)).isEqualTo(MachineDriver.snapshotOf(machine));
    }

    @Test
    void aCheckpointFileCutShortIsNotUsed() throws IOException {
        for (int keep : new int[] {0, 3, 20, -4, -1}) { // negative: that many bytes cut off the end
            Path root = dir.resolve("cut" + keep);
            TopicStateMachine machine = fileMachine(root);
            MachineDriver driver = new MachineDriver(machine);
            driver.apply(new MqCommand.CreateTopic("t"));
            driver.apply(new MqCommand.PutMessage("t", "one"));
            machine.takeSnapshot(2).writeTo(new ByteArrayOutputStream());
            Path file = checkpointFile(root);
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, keep >= 0 ? keep : bytes.length + keep));
            assertThat(fileMachine(root).resumeCheckpoint(2)).as("kept %d of %d bytes", keep, bytes.length).isFalse();
        }
    }

    private static Path checkpointFile(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("checkpoints"))) {
            return files.filter(p -> p.getFileName().toString().equals("checkpoint")).findFirst().orElseThrow();
        }
    }

    private TopicStateMachine fileMachine(Path root) throws IOException {
        return new TopicStateMachine(RequestRetention.defaults(), new FileStores(root, TINY_SEGMENT));
    }

    /**
     * Disk machine: entries 0..399, snapshot captured at 399 and written (checkpoint made) at 600,
     * crash at 800; resumed; it and a heap machine restored from the snapshot replay 400..800 and go on
     * to 1,400 with a second snapshot at 1,000, crash at 1,200 and resume; then drain.
     */
    private void run(long seed) throws IOException {
        Random random = new Random(seed);
        Path root = dir.resolve("seed-" + seed);
        List<byte[]> entries = new ArrayList<>();
        List<String> receipts = new ArrayList<>();
        MachineDriver disk = new MachineDriver(fileMachine(root));
        MachineDriver reference = new MachineDriver(new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory()));
        long now = 1_000;
        SnapshotWriter captured = null;
        long capturedIndex = 0;
        for (int step = 0; step < 1_400; step++) {
            now += random.nextInt(50);
            byte[] entry = MqCodec.encodeCommand(DiskBackedMachineTest.stamped(now, step,
                    DiskBackedMachineTest.next(random, step, receipts)));
            entries.add(entry);
            byte[] expected = reference.applyBytes(entry);
            assertThat(disk.applyBytes(entry)).as("seed %d step %d", seed, step).isEqualTo(expected);
            MqCodec.decodeResult(expected).deliveries().forEach(d -> receipts.add(d.receipt()));
            if (step == 399 || step == 999) {
                capturedIndex = disk.machine.lastAppliedIndex();
                captured = disk.machine.takeSnapshot(capturedIndex);
            } else if (step == 600 || step == 1_100) {
                ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
                captured.writeTo(snapshot);
                assertThat(snapshot.toByteArray()).as("seed %d: a snapshot, as before", seed).isNotEmpty();
            } else if (step == 800 || step == 1_200) {
                disk = crashAndResume(seed, random, root, capturedIndex, entries, reference);
            }
        }
        for (int step = 0; reference.machine.messageCount() > 0; step++) {
            assertThat(step).as("seed %d: draining ends", seed).isLessThan(100_000);
            now += 1_000;
            byte[] entry = MqCodec.encodeCommand(step % 2 == 0 ? DiskBackedMachineTest.stamped(now, step, new MqCommand.Tick())
                    : new MqCommand.PopMessage(List.of("orders", "dead", "ünïcode 🙂").get(step / 2 % 3)));
            assertThat(disk.applyBytes(entry)).as("seed %d drain %d", seed, step).isEqualTo(reference.applyBytes(entry));
        }
        assertThat(MachineDriver.snapshotOf(disk.machine)).isEqualTo(MachineDriver.snapshotOf(reference.machine));
    }

    /**
     * The process dies: unforced bytes after each checkpoint segment's end are garbled (the test
     * does not know the ends: it appends junk to every segment file the checkpoint links, which is
     * the same for the bytes after them), a half-built checkpoint lies beside it. A new machine on
     * the same directory resumes; its snapshot must be the reference's at that index, and replaying
     * the entries after it must give the reference's results.
     */
    private MachineDriver crashAndResume(long seed, Random random, Path root, long index, List<byte[]> entries,
                                         MachineDriver reference) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("checkpoints"))) {
            for (Path segment : files.filter(p -> p.toString().endsWith(".seg")).toList()) {
                byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap(junk), channel.size());
                }
            }
        }
        Path partial = root.resolve("checkpoints").resolve(String.format("ckpt-%020d.tmp", index + 7));
        Files.createDirectories(partial.resolve("0"));
        Files.write(partial.resolve("checkpoint"), new byte[] {1, 2, 3});
        TopicStateMachine resumed = fileMachine(root);
        assertThat(resumed.resumeCheckpoint(index)).as("seed %d: checkpoint %d", seed, index).isTrue();
        assertThat(Files.exists(partial)).as("seed %d: the half-built checkpoint is gone", seed).isFalse();
        TopicStateMachine restored = new TopicStateMachine(RequestRetention.defaults(), MessageStores.memory());
        // The reference at that index: its entries replayed onto an empty machine.
        MachineDriver replayed = new MachineDriver(restored);
        for (int i = 0; i < index; i++) {
            replayed.applyBytes(entries.get(i));
        }
        assertThat(MachineDriver.snapshotOf(resumed)).as("seed %d: resumed state at %d", seed, index)
                .isEqualTo(MachineDriver.snapshotOf(restored));
        MachineDriver driver = new MachineDriver(resumed);
        for (long i = index; i < entries.size(); i++) {
            assertThat(driver.applyBytes(entries.get((int) i))).as("seed %d: replay of %d", seed, i + 1)
                    .isEqualTo(replayed.applyBytes(entries.get((int) i)));
        }
        assertThat(MachineDriver.snapshotOf(resumed)).isEqualTo(MachineDriver.snapshotOf(reference.machine));
        return driver;
    }
}
