package io.rrmq.raft.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageCodec#decodeBatch} on bytes from the network: every input decodes to messages that
 * re-encode to exactly those bytes, or is rejected with {@link IllegalArgumentException}; nothing
 * else is thrown, and no input makes it allocate more than a small multiple of its size.
 *
 * <p>Two fuzzers share that oracle. jqwik damages valid batches ({@link Mutations}) on every build.
 * Jazzer's coverage-guided {@link #decodeBatch} replays its committed corpus
 * ({@code MessageCodecFuzzTestInputs/decodeBatch} under test resources) on every build, and fuzzes
 * only when asked: {@code JAZZER_FUZZ=1 mvn -pl raft-lib test -Dtest=MessageCodecFuzzTest#decodeBatch
 * -Djazzer.max_duration=60s}.
 */
class MessageCodecFuzzTest {

    /** Decoding allocates the messages and their data: well under this per input byte. */
    private static final int BYTES_PER_INPUT_BYTE = 32;

    static void decodesCanonicallyOrIsRejected(byte[] bytes) {
        List<RaftMessage> decoded = Allocations.measureWithin(
                        Allocations.budget(bytes.length, BYTES_PER_INPUT_BYTE), () -> MessageCodec.decodeBatch(bytes))
                .valueOrDocumentedRejection(IllegalArgumentException.class);
        if (decoded != null) {
            assertThat(MessageCodec.encodeBatch(decoded)).isEqualTo(bytes);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decodeBatch(byte[] bytes) {
        decodesCanonicallyOrIsRejected(bytes);
    }

    @Property(tries = 3000)
    void damagedBatchesDecodeCanonicallyOrAreRejected(@ForAll("hostileBatches") byte[] bytes) {
        decodesCanonicallyOrIsRejected(bytes);
    }

    @Property(tries = 300)
    void validBatchesRoundTrip(@ForAll("batches") List<RaftMessage> batch) {
        assertThat(MessageCodec.decodeBatch(MessageCodec.encodeBatch(batch))).isEqualTo(batch);
    }

    @Test
    void hugeClaimedCountsAndLengthsAreRejectedQuicklyWithoutAllocatingThem() {
        byte[] append = MessageCodec.encodeBatch(List.of(new AppendEntries(1, 2, 3, 4, 3, 4,
                List.of(LogEntry.command(5, 3, new byte[] {1, 2, 3})))));
        byte[] chunk = MessageCodec.encodeBatch(List.of(
                new InstallSnapshot(1, 2, 3, 10, 3, 0, new byte[] {1, 2, 3}, false)));
        int appendEntryCount = 1 + 4 + 17 + 32;
        int appendEntryLength = appendEntryCount + 4 + 17;
        int chunkLength = 1 + 4 + 17 + 24 + 1;
        List<byte[]> claims = List.of(
                withInt(append, 1, Integer.MAX_VALUE),                   // message count
                withInt(append, 1, 1 << 27),
                withInt(append, appendEntryCount, Integer.MAX_VALUE),    // entry count
                withInt(append, appendEntryCount, Integer.MIN_VALUE),
                withInt(append, appendEntryLength, Integer.MAX_VALUE),   // entry data length
                withInt(append, appendEntryLength, Integer.MAX_VALUE - 8),
                withInt(chunk, chunkLength, Integer.MAX_VALUE),          // snapshot chunk length
                withInt(chunk, chunkLength, -1),
                new byte[] {MessageCodec.VERSION, 0x7F, -1, -1, -1});
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (byte[] claim : claims) {
                Allocations.Measured<List<RaftMessage>> outcome = Allocations.measureWithin(
                        Allocations.budget(claim.length, BYTES_PER_INPUT_BYTE), () -> MessageCodec.decodeBatch(claim));
                assertThat(outcome.thrown()).isInstanceOf(IllegalArgumentException.class);
            }
        });
    }

    private static byte[] withInt(byte[] bytes, int offset, int value) {
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out).putInt(offset, value);
        return out;
    }

    @Provide
    Arbitrary<byte[]> hostileBatches() {
        return Mutations.hostile(batches().map(MessageCodec::encodeBatch));
    }

    @Provide
    Arbitrary<List<RaftMessage>> batches() {
        return messages().list().ofMaxSize(4);
    }

    static Arbitrary<RaftMessage> messages() {
        Arbitrary<Integer> id = Arbitraries.integers().between(-1, 5);
        Arbitrary<Long> term = Arbitraries.longs().between(0, 20);
        Arbitrary<Long> index = Arbitraries.longs().between(0, 1000);
        Arbitrary<Boolean> flag = Arbitraries.of(false, true);
        Arbitrary<byte[]> data = Mutations.randomBytes(40);
        Arbitrary<LogEntry> entry = Combinators.combine(index.map(i -> i + 1), term.map(t -> t + 1),
                        Arbitraries.of(LogEntry.Type.class), data)
                .as((i, t, type, d) -> new LogEntry(i, t, type, type == LogEntry.Type.NOOP ? new byte[0] : d));
        return Arbitraries.oneOf(
                Combinators.combine(id, id, term, index, term, flag).as(VoteRequest::new),
                Combinators.combine(id, id, term, flag, flag).as(VoteResponse::new),
                Combinators.combine(id, id, term, index, term, index, entry.list().ofMaxSize(3), index)
                        .as(AppendEntries::new),
                Combinators.combine(id, id, term, flag, index, index, index, term)
                        .as(AppendEntriesResponse::new).flatMap(r -> index.map(r::withReadContext)),
                Combinators.combine(id, id, term, index).as(ReadIndexRequest::new),
                Combinators.combine(id, id, term, index, index, flag, id).as(ReadIndexResponse::new),
                Combinators.combine(id, id, term, index, term, index, data, flag).as(InstallSnapshot::new),
                Combinators.combine(id, id, term, index, index, flag).as(InstallSnapshotResponse::new));
    }
}
