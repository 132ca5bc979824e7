package io.rrmq.mq.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedMessageStoreTest {
    /** Room for three records of "message-NN" (8 + 10 bytes) per segment. */
    private static final int SMALL_SEGMENT = 3 * 18;

    @TempDir
    Path dir;

    private static byte[] body(int i) {
        return String.format("message-%02d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void readsBackEveryRecordAcrossSegmentsByPositionAndInOrder() {
        for (SegmentedMessageStore store : List.of(SegmentedMessageStore.inFiles(dir.resolve("f"), SMALL_SEGMENT),
                SegmentedMessageStore.inMemory(SMALL_SEGMENT))) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                positions.add(store.append(7, body(i)));
            }
            assertThat(positions.get(1)).isEqualTo(positions.get(0) + MessageStore.recordBytes(body(0).length));
            assertThat(store.tail(7)).isEqualTo(20 * 18);
            assertThat(store.segmentCount()).isEqualTo(7);
            MessageStore.Cursor cursor = store.pin().cursor(7, positions.get(2));
            for (int i = 2; i < 20; i++) {
                assertThat(text(cursor.next())).isEqualTo(text(body(i)));
                assertThat(text(store.read(7, positions.get(i)))).isEqualTo(text(body(i)));
            }
            assertThat(store.tail(8)).isZero();
        }
    }

    @Test
    void readsRecordsWhetherStillInTheWriteBufferOrWrittenOut() {
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(dir, 1 << 20);
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) { // 180 kB: the 64 KiB buffer is written out a few times
            positions.add(store.append(i % 2, body(i % 100)));
            if (i % 7 == 0) {
                assertThat(text(store.read(i % 2, positions.get(i)))).isEqualTo(text(body(i % 100)));
            }
        }
        for (int i = 0; i < 10_000; i += 13) {
            assertThat(text(store.read(i % 2, positions.get(i)))).isEqualTo(text(body(i % 100)));
        }
        try (MessageStore.Pin pin = store.pin()) {
            MessageStore.Cursor odd = pin.cursor(1, positions.get(1));
            for (int i = 1; i < 10_000; i += 2) {
                assertThat(text(odd.next())).isEqualTo(text(body(i % 100)));
            }
        }
    }

    @Test
    void aRecordLargerThanASegmentGetsASegmentOfItsOwn() {
        SegmentedMessageStore store = SegmentedMessageStore.inMemory(SMALL_SEGMENT);
        byte[] big = new byte[200_000];
        big[199_999] = 42;
        long small = store.append(0, body(1));
        long large = store.append(0, big);
        long after = store.append(0, body(2));

        assertThat(store.read(0, large)).isEqualTo(big);
        MessageStore.Cursor cursor = store.pin().cursor(0, small);
        assertThat(text(cursor.next())).isEqualTo("message-01");
        assertThat(cursor.next()).isEqualTo(big);
        assertThat(text(cursor.next())).isEqualTo("message-02");
        assertThat(after).isEqualTo(large + MessageStore.recordBytes(big.length));
    }

    @Test
    void deletesASegmentOnceAllItsRecordsAreReleasedAndANewerOneFollows() throws IOException {
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(dir, SMALL_SEGMENT);
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 7; i++) { // segments [0 1 2] [3 4 5] [6]
            positions.add(store.append(0, body(i)));
        }
        store.release(0, positions.get(0));
        store.release(0, positions.get(2));
        assertThat(segmentFiles()).isEqualTo(3);

        store.release(0, positions.get(1)); // out of order: a later ack may come first

        assertThat(segmentFiles()).isEqualTo(2);
        assertThat(store.segmentsDeleted()).isEqualTo(1);
        assertThat(text(store.read(0, positions.get(3)))).isEqualTo("message-03");
        store.release(0, positions.get(6));
        assertThat(segmentFiles()).as("the tail segment stays, empty, for the next put").isEqualTo(2);
        store.release(0, store.append(0, body(7)));
        store.release(0, store.append(0, body(8))); // [6 7 8]: full, all released, still the tail
        assertThat(segmentFiles()).isEqualTo(2);
        store.append(0, body(9)); // rolls to [9], and [6 7 8] goes
        assertThat(segmentFiles()).isEqualTo(2);
        assertThat(store.segmentsDeleted()).isEqualTo(2);
        assertThatThrownBy(() -> store.release(0, positions.get(6))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDrainedTailSegmentGoesOnceItHoldsSomeBytesAndTheChainGoesOnWhereItWas() throws IOException {
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(dir, 1 << 20);
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // 1.8 kB: a consumer that keeps up keeps its file
            positions.add(store.append(0, body(i)));
        }
        positions.forEach(p -> store.release(0, p));
        store.pin().close(); // writes the buffer out
        assertThat(segmentFiles()).isEqualTo(1);
        positions.clear();
        for (int i = 0; i < 4_000; i++) { // 72 kB in the same segment, then all of it consumed
            positions.add(store.append(0, body(i % 100)));
        }
        positions.forEach(p -> store.release(0, p));

        assertThat(segmentFiles()).isZero();
        long next = store.tail(0);
        assertThat(next).isEqualTo(4_100 * 18L);
        assertThat(store.append(0, body(7))).isEqualTo(next);
        assertThat(text(store.read(0, next))).isEqualTo("message-07");
        store.pin().close();
        assertThat(segmentFiles()).isEqualTo(1);
    }

    @Test
    void aPinKeepsReleasedRecordsReadableUntilItCloses() throws IOException {
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(dir, SMALL_SEGMENT);
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            positions.add(store.append(0, body(i)));
        }
        MessageStore.Pin pin = store.pin();
        for (int i = 0; i < 3; i++) {
            store.release(0, positions.get(i));
        }

        assertThat(segmentFiles()).isEqualTo(2);
        MessageStore.Cursor cursor = pin.cursor(0, positions.get(0));
        assertThat(text(cursor.next())).isEqualTo("message-00");
        pin.close();
        pin.close(); // idempotent
        store.append(0, body(6)); // the next call on the applying thread reclaims what waited

        assertThat(segmentFiles()).isEqualTo(2);
        assertThat(store.segmentsDeleted()).isEqualTo(1);
    }

    @Test
    void aDiscardedStoreIsDeletedWhenItsLastPinCloses() throws IOException {
        Path root = dir.resolve("gen");
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(root, SMALL_SEGMENT);
        long position = store.append(3, body(1));
        MessageStore.Pin pin = store.pin();

        store.discard();

        assertThat(Files.exists(root)).isTrue();
        assertThat(text(pin.read(3, position))).isEqualTo("message-01");
        pin.close();
        assertThat(Files.exists(root)).isFalse();
        assertThatThrownBy(store::pin).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDamagedRecordFailsLoudlyInsteadOfReturningOtherBytes() throws IOException {
        SegmentedMessageStore store = SegmentedMessageStore.inFiles(dir, 1 << 20);
        long first = store.append(0, body(1));
        long second = store.append(0, body(2));
        MessageStore.Pin pin = store.pin(); // writes the buffered records out
        Path segment;
        try (Stream<Path> files = Files.walk(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), second + MessageStore.HEADER_BYTES + 3);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) 0x7f}), first); // length: 2 GB
        }

        assertThatThrownBy(() -> store.read(0, second)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("checksum mismatch");
        assertThatThrownBy(() -> pin.cursor(0, first).next()).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("length");
    }

    @Test
    void generationsStartFromNothingWhateverAnEarlierProcessLeftButCheckpoints() throws IOException {
        Path root = dir.resolve("messages");
        MessageStore earlier = new FileStores(root, SMALL_SEGMENT).create();
        earlier.append(0, body(1)); // a crash: never discarded

        MessageStores stores = new FileStores(root, SMALL_SEGMENT);

        try (Stream<Path> left = Files.list(root)) { // the checkpoints (none here) stay
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("checkpoints");
        }
        MessageStore first = stores.create();
        MessageStore second = stores.create();
        assertThat(first.append(0, body(1))).isZero();
        assertThat(second.append(0, body(2))).isZero();
        first.discard();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("gen-2", "checkpoints");
        }
    }
}
