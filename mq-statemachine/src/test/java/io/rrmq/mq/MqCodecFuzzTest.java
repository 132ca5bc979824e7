package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link MqCodec} on bytes it did not write: a committed log entry can hold anything a leader
 * accepted, and results travel back through the server. Every input decodes to a value whose
 * encoding is exactly that input, or is rejected with {@link IllegalArgumentException}; nothing
 * else is thrown and no input makes the decoder allocate more than a small multiple of its size
 * (the class comment's promises).
 *
 * <p>jqwik damages valid encodings ({@link Mutations}) on every build. Jazzer's coverage-guided
 * {@link #decodeCommand} replays its committed corpus ({@code MqCodecFuzzTestInputs/decodeCommand}
 * under test resources) on every build and fuzzes only when asked:
 * {@code JAZZER_FUZZ=1 mvn -pl mq-statemachine -am test -Dtest=MqCodecFuzzTest#decodeCommand
 * -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration=60s}.
 */
class MqCodecFuzzTest {
    /** Decoding allocates the strings (two bytes per char) and their records: well under this. */
    private static final int BYTES_PER_INPUT_BYTE = 32;

    static void commandDecodesCanonicallyOrIsRejected(byte[] bytes) {
        MqCommand decoded = Allocations.measureWithin(Allocations.budget(bytes.length, BYTES_PER_INPUT_BYTE),
                        () -> MqCodec.decodeCommand(bytes))
                .valueOrDocumentedRejection(IllegalArgumentException.class);
        if (decoded != null) {
            assertThat(MqCodec.encodeCommand(decoded)).isEqualTo(bytes);
        }
    }

    static void resultDecodesCanonicallyOrIsRejected(byte[] bytes) {
        MqResult decoded = Allocations.measureWithin(Allocations.budget(bytes.length, BYTES_PER_INPUT_BYTE),
                        () -> MqCodec.decodeResult(bytes))
                .valueOrDocumentedRejection(IllegalArgumentException.class);
        if (decoded != null) {
            assertThat(MqCodec.encodeResult(decoded)).isEqualTo(bytes);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decodeCommand(byte[] bytes) {
        commandDecodesCanonicallyOrIsRejected(bytes);
    }

    @Property(tries = 2000)
    void damagedCommandsDecodeCanonicallyOrAreRejected(@ForAll("hostileCommands") byte[] bytes) {
        commandDecodesCanonicallyOrIsRejected(bytes);
    }

    @Property(tries = 2000)
    void damagedResultsDecodeCanonicallyOrAreRejected(@ForAll("hostileResults") byte[] bytes) {
        resultDecodesCanonicallyOrIsRejected(bytes);
    }

    @Test
    void hugeClaimedLengthsAndCountsAreRejectedQuicklyWithoutAllocatingThem() {
        byte[] put = MqCodec.encodeCommand(new MqCommand.PutMessage("t", "hello"));
        byte[] identified = MqCodec.encodeCommand(
                new MqCommand.Identified("r1", new MqCommand.PopMessage("t")));
        byte[] topics = MqCodec.encodeResult(MqResult.topics(List.of("a", "b")));
        List<byte[]> commandClaims = List.of(
                withInt(put, 2, Integer.MAX_VALUE),            // topic length
                withInt(put, 2 + 4 + 1, Integer.MAX_VALUE),    // message length
                withInt(put, 2 + 4 + 1, Integer.MIN_VALUE),
                withInt(identified, 2, Integer.MAX_VALUE - 8)); // request id length
        List<byte[]> resultClaims = List.of(
                withInt(topics, 3, Integer.MAX_VALUE),         // topic count
                withInt(topics, 3, 1 << 30),
                withInt(topics, 3 + 4, Integer.MAX_VALUE));    // first topic's length
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (byte[] claim : commandClaims) {
                assertThat(Allocations.measureWithin(Allocations.budget(claim.length, BYTES_PER_INPUT_BYTE),
                        () -> MqCodec.decodeCommand(claim)).thrown()).isInstanceOf(IllegalArgumentException.class);
            }
            for (byte[] claim : resultClaims) {
                assertThat(Allocations.measureWithin(Allocations.budget(claim.length, BYTES_PER_INPUT_BYTE),
                        () -> MqCodec.decodeResult(claim)).thrown()).isInstanceOf(IllegalArgumentException.class);
            }
        });
    }

    private static byte[] withInt(byte[] bytes, int offset, int value) {
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out).putInt(offset, value);
        return out;
    }

    @Provide
    Arbitrary<byte[]> hostileCommands() {
        return Mutations.hostile(MqArbitraries.commands().map(MqCodec::encodeCommand));
    }

    @Provide
    Arbitrary<byte[]> hostileResults() {
        return Mutations.hostile(MqArbitraries.results().map(MqCodec::encodeResult));
    }
}
