package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MqCodecPropertiesTest {

    @Property(tries = 300)
    void everyCommandRoundTrips(@ForAll("commands") MqCommand command) {
        assertThat(MqCodec.decodeCommand(MqCodec.encodeCommand(command))).isEqualTo(command);
    }

    @Property(tries = 300)
    void everyResultRoundTrips(@ForAll("results") MqResult result) {
        assertThat(MqCodec.decodeResult(MqCodec.encodeResult(result))).isEqualTo(result);
    }

    @Property(tries = 200)
    void everyTruncatedCommandIsRejected(@ForAll("commands") MqCommand command) {
        byte[] encoded = MqCodec.encodeCommand(command);
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> MqCodec.decodeCommand(truncated))
                    .as("prefix of %d of %d bytes", length, encoded.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 200)
    void everyTruncatedResultIsRejected(@ForAll("results") MqResult result) {
        byte[] encoded = MqCodec.encodeResult(result);
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> MqCodec.decodeResult(truncated))
                    .as("prefix of %d of %d bytes", length, encoded.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Hostile bytes either fail with IllegalArgumentException (any other exception fails the
     * property) or decode to a value whose encoding is exactly those bytes: no two encodings of one
     * command, so nodes can never disagree about what an entry means.
     */
    @Property(tries = 500)
    void arbitraryBytesDecodeCanonicallyOrAreRejectedAsCommands(@ForAll("hostileBytes") byte[] bytes) {
        MqCommand decoded;
        try {
            decoded = MqCodec.decodeCommand(bytes);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(MqCodec.encodeCommand(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 500)
    void arbitraryBytesDecodeCanonicallyOrAreRejectedAsResults(@ForAll("hostileBytes") byte[] bytes) {
        MqResult decoded;
        try {
            decoded = MqCodec.decodeResult(bytes);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(MqCodec.encodeResult(decoded)).isEqualTo(bytes);
    }

    @Provide
    Arbitrary<MqCommand> commands() {
        return MqArbitraries.commands();
    }

    @Provide
    Arbitrary<MqResult> results() {
        return MqArbitraries.results();
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<byte[]> hostileBytes() {
        Arbitrary<byte[]> corruptedResults = Combinators
                .combine(MqArbitraries.results(), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.bytes())
                .as((result, position, value) -> {
                    byte[] bytes = MqCodec.encodeResult(result);
                    bytes[position % bytes.length] = value;
                    return bytes;
                });
        return Arbitraries.oneOf(MqArbitraries.garbage(), MqArbitraries.corruptedCommands(),
                corruptedResults);
    }
}
