package io.rrmq.mq;

import static io.rrmq.mq.MachineDriver.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.raft.fuzz.Mutations.Edit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link TopicStateMachine} fed bytes it did not write, as its class comment promises to take them:
 * a committed entry that does not decode returns {@code INVALID_COMMAND} and changes nothing but the
 * applied index, and {@link TopicStateMachine#restoreSnapshot} of a damaged snapshot fails with
 * {@link IOException} leaving the state exactly as it was, or restores a state the machine can go
 * on applying entries to. jqwik prints the seed of a failure.
 *
 * <p>Machines run with a small {@link RequestRetention}, so that the histories also make request
 * ids expire.
 */
class TopicStateMachineFuzzTest {
    private static final RequestRetention RETENTION = new RequestRetention(6, 4096, 12);
    private static final byte[] INVALID = MqCodec.encodeResult(MqResult.of(MqResult.Outcome.INVALID_COMMAND));

    @Property(tries = 1000)
    void anEntryThatDoesNotDecodeChangesNothingButTheAppliedIndex(
            @ForAll("histories") List<byte[]> history, @ForAll("hostileEntries") byte[] entry) throws IOException {
        MachineDriver node = machineAfter(history);
        byte[] before = snapshotOf(node.machine);
        long index = node.machine.lastAppliedIndex() + 1;

        byte[] result = node.machine.apply(index, entry);

        MqCodec.decodeResult(result); // whatever happened, the answer is a result
        if (!decodes(entry)) {
            assertThat(result).isEqualTo(INVALID);
            // The same as any undecodable entry at that index: request ids may age out, nothing else.
            MachineDriver twin = restoredFrom(before);
            twin.machine.apply(index, new byte[0]);
            assertThat(snapshotOf(node.machine)).isEqualTo(snapshotOf(twin.machine));
            assertThat(node.machine.lastAppliedIndex()).isEqualTo(index);
        }
    }

    @Property(tries = 400)
    void aDamagedSnapshotIsRestoredWhollyOrChangesNothing(
            @ForAll("histories") List<byte[]> source, @ForAll("histories") List<byte[]> target,
            @ForAll("edits") List<Edit> edits, @ForAll boolean fixCrc, @ForAll("histories") List<byte[]> after) {
        byte[] snapshot = snapshotOf(machineAfter(source).machine);
        byte[] donor = snapshotOf(machineAfter(target).machine);
        byte[] damaged = Mutations.apply(snapshot, edits, donor);
        if (fixCrc) {
            withChecksum(damaged);
        }

        boolean restored = restoresWhollyOrChangesNothing(machineAfter(target), damaged);

        if (restored && !fixCrc) {
            // CRC32C misses no edit of this size: only an edit that changed nothing, or a splice
            // that took the other snapshot whole, leaves a valid snapshot.
            assertThat(Arrays.equals(damaged, snapshot) || Arrays.equals(damaged, donor))
                    .as("restored a snapshot no machine wrote").isTrue();
        }
    }

    /**
     * Well-framed snapshots (right lengths, right checksum) whose fields are hostile: any index,
     * names and messages that may not be UTF-8, duplicates, and remembered requests whose result
     * is not a result. Once restored, every remembered request is retried: the answer must still
     * be a result.
     */
    @Property(tries = 600)
    void aWellFramedHostileSnapshotIsRefusedOrLeavesAWorkingMachine(@ForAll("hostileSnapshots") HostileSnapshot hostile) {
        // The default retention: the remembered requests must not age out before they are retried.
        MachineDriver node = new MachineDriver(new TopicStateMachine());
        node.create("mine");

        if (restoresWhollyOrChangesNothing(node, hostile.bytes()) && node.machine.lastAppliedIndex() < Long.MAX_VALUE) {
            for (MqCommand.Identified retry : hostile.retries()) {
                MqCodec.decodeResult(node.applyBytes(MqCodec.encodeCommand(retry)));
            }
        }
    }

    /**
     * Restores {@code bytes} into {@code node}: true if it worked, in which case the machine writes
     * them back unchanged (version 2) and takes the next entries; false after an IOException, which
     * must have left everything as it was.
     */
    private static boolean restoresWhollyOrChangesNothing(MachineDriver node, byte[] bytes) {
        TopicStateMachine machine = node.machine;
        byte[] before = snapshotOf(machine);
        List<Object> counters = counters(machine);

        boolean restored = Allocations.measure(() -> {
            machine.restoreSnapshot(new ByteArrayInputStream(bytes));
            return true;
        }).requireAllocatedAtMost(Allocations.budget(bytes.length, 64))
                .valueOrDocumentedRejection(IOException.class) != null;

        if (!restored) {
            assertThat(snapshotOf(machine)).isEqualTo(before);
            assertThat(counters(machine)).isEqualTo(counters);
            return false;
        }
        if (bytes[4] == TopicStateMachine.SNAPSHOT_VERSION) {
            assertThat(snapshotOf(machine)).isEqualTo(bytes);
        }
        if (machine.lastAppliedIndex() < Long.MAX_VALUE) {
            node.list(); // decodes the result
        }
        return true;
    }

    private static List<Object> counters(TopicStateMachine machine) {
        return List.of(machine.lastAppliedIndex(), machine.topicCount(), machine.messageCount(),
                machine.queuedBytes(), machine.rememberedRequestCount(), machine.topics());
    }

    private static MachineDriver machineAfter(List<byte[]> history) {
        MachineDriver node = new MachineDriver(new TopicStateMachine(RETENTION));
        history.forEach(node::applyBytes);
        return node;
    }

    private static MachineDriver restoredFrom(byte[] snapshot) throws IOException {
        MachineDriver node = new MachineDriver(new TopicStateMachine(RETENTION));
        node.machine.restoreSnapshot(new ByteArrayInputStream(snapshot));
        return node;
    }

    private static boolean decodes(byte[] entry) {
        try {
            MqCodec.decodeCommand(entry);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<List<byte[]>> histories() {
        return MqArbitraries.commands().map(MqCodec::encodeCommand).list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<byte[]> hostileEntries() {
        return Mutations.hostile(MqArbitraries.commands().map(MqCodec::encodeCommand));
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return Mutations.edits().list().ofMinSize(1).ofMaxSize(3);
    }

    // ---- well-framed hostile snapshots ----

    /** Snapshot bytes, and the retries of the requests it remembers for real writes. */
    record HostileSnapshot(byte[] bytes, List<MqCommand.Identified> retries) {
        @Override
        public String toString() {
            return "HostileSnapshot[" + bytes.length + " bytes, retries=" + retries + "]";
        }
    }

    record Topic(byte[] name, List<byte[]> messages) {
    }

    /** A remembered request: its id, index, the write it fingerprints (null: random bytes) and its result. */
    record Remembered(String id, long index, MqCommand write, byte[] fingerprint, byte[] result) {
    }

    @Provide
    Arbitrary<HostileSnapshot> hostileSnapshots() {
        Arbitrary<Long> edges = Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE);
        Arbitrary<Topic> topic = Combinators.combine(strings(), strings().list().ofMaxSize(3)).as(Topic::new);
        // Request indexes mostly below the snapshot's, which the reader requires.
        Arbitrary<Remembered> request = Combinators.combine(
                Arbitraries.of("r1", "r2", "r3", "", "x".repeat(65)),
                Arbitraries.oneOf(Arbitraries.longs().between(1, 100), edges), writes(),
                Arbitraries.bytes().array(byte[].class).ofSize(32), results()).as(Remembered::new);
        return Combinators.combine(Arbitraries.of((byte) 1, (byte) 2, (byte) 2, (byte) 3),
                        Arbitraries.oneOf(Arbitraries.longs().between(0, 1000), edges),
                        topic.list().ofMaxSize(3), request.list().ofMaxSize(3))
                .as(TopicStateMachineFuzzTest::snapshot);
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<byte[]> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, MqArbitraries.unicodeStrings(4).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(1, Mutations.randomBytes(4)));
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<MqCommand> writes() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(new MqCommand.CreateTopic("t"), new MqCommand.PutMessage("mine", "m"),
                        new MqCommand.PopMessage("mine"))),
                Tuple.of(1, Arbitraries.just(null))); // the fingerprint stays random bytes
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<byte[]> results() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, MqArbitraries.results().map(MqCodec::encodeResult)),
                Tuple.of(1, Mutations.randomBytes(6)));
    }

    private static HostileSnapshot snapshot(byte version, long index, List<Topic> topics, List<Remembered> requests) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        List<MqCommand.Identified> retries = new java.util.ArrayList<>();
        try {
            out.writeInt(TopicStateMachine.SNAPSHOT_MAGIC);
            out.writeByte(version);
            out.writeLong(index);
            out.writeInt(topics.size());
            for (Topic topic : topics) {
                writeBytes(out, topic.name());
                out.writeInt(topic.messages().size());
                for (byte[] message : topic.messages()) {
                    writeBytes(out, message);
                }
            }
            if (version != 1) {
                out.writeInt(requests.size());
                for (Remembered request : requests) {
                    writeBytes(out, request.id().getBytes(StandardCharsets.UTF_8));
                    out.writeLong(request.index());
                    out.write(request.write() == null ? request.fingerprint() : sha256(request.write()));
                    writeBytes(out, request.result());
                    if (request.write() != null && !request.id().isEmpty() && request.id().length() <= 64) {
                        retries.add(new MqCommand.Identified(request.id(), request.write()));
                    }
                }
            }
            out.writeInt(0); // the checksum's place
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HostileSnapshot(withChecksum(bytes.toByteArray()), retries);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** What the machine fingerprints a retry of {@code write} by: the SHA-256 of its encoding. */
    private static byte[] sha256(MqCommand write) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(MqCodec.encodeCommand(write));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes the last four bytes the CRC32C of the rest, in place. */
    private static byte[] withChecksum(byte[] snapshot) {
        if (snapshot.length >= 4) {
            CRC32C crc = new CRC32C();
            crc.update(snapshot, 0, snapshot.length - 4);
            ByteBuffer.wrap(snapshot).putInt(snapshot.length - 4, (int) crc.getValue());
        }
        return snapshot;
    }
}
