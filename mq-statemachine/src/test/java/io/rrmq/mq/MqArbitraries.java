package io.rrmq.mq;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators shared by the property tests. */
final class MqArbitraries {
    private MqArbitraries() {
    }

    /**
     * Strings of valid Unicode, weighted towards the cases that break codecs: ASCII, control
     * characters, the rest of the BMP, U+FFFD, right-to-left text and supplementary characters.
     * Never an unpaired surrogate (those are not Unicode and the codec refuses them).
     */
    static Arbitrary<String> unicodeStrings(int maxCodePoints) {
        @SuppressWarnings("unchecked")
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, Character.MIN_SURROGATE - 1)),
                Tuple.of(1, Arbitraries.integers().between(Character.MAX_SURROGATE + 1, 0xFFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x0590, 0x06FF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)),
                Tuple.of(1, Arbitraries.of(0xFFFD, 0xFEFF, 0x200F, 0x1F600, 0x1D11E, 0x0000)));
        return codePoint.list().ofMaxSize(maxCodePoints).map(MqArbitraries::fromCodePoints);
    }

    private static String fromCodePoints(List<Integer> codePoints) {
        StringBuilder s = new StringBuilder();
        codePoints.forEach(s::appendCodePoint);
        return s.toString();
    }

    /** Topic names from a small pool, so that commands collide on the same topics. */
    @SuppressWarnings("unchecked")
    static Arbitrary<String> topics() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.of("orders", "ü", "🙂𝄞", "שלום", "")),
                Tuple.of(1, unicodeStrings(6)));
    }

    static Arbitrary<String> messages() {
        return unicodeStrings(16);
    }

    @SuppressWarnings("unchecked")
    static Arbitrary<MqCommand> commands() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, writes()),
                Tuple.of(1, Arbitraries.just(new MqCommand.ListTopics())),
                Tuple.of(3, Combinators.combine(requestIds(), writes()).as(MqCommand.Identified::new)));
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<MqCommand> writes() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, topics().map(MqCommand.CreateTopic::new)),
                Tuple.of(5, Combinators.combine(topics(), messages()).as(MqCommand.PutMessage::new)),
                Tuple.of(4, topics().map(MqCommand.PopMessage::new)));
    }

    /** Request ids from a small pool, so that retries (and reuses) of one id are common. */
    @SuppressWarnings("unchecked")
    private static Arbitrary<String> requestIds() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.of("r1", "r2", "r3", "c-0f9e")),
                Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64)));
    }

    static Arbitrary<MqResult> results() {
        return Combinators.combine(
                        Arbitraries.of(MqResult.Outcome.class),
                        messages().injectNull(0.4),
                        unicodeStrings(8).list().ofMaxSize(5),
                        Arbitraries.of(false, true))
                .as(MqResult::new);
    }

    /** Byte strings with no structure at all. */
    static Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
    }

    /** A valid command encoding with one byte replaced: mostly invalid, occasionally another command. */
    static Arbitrary<byte[]> corruptedCommands() {
        return Combinators.combine(commands(), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.bytes())
                .as((command, position, value) -> {
                    byte[] bytes = MqCodec.encodeCommand(command);
                    bytes[position % bytes.length] = value;
                    return bytes;
                });
    }

    /** Log entries as the state machine sees them: mostly valid commands, some undecodable. */
    @SuppressWarnings("unchecked")
    static Arbitrary<byte[]> entries() {
        return Arbitraries.frequencyOf(
                Tuple.of(20, commands().map(MqCodec::encodeCommand)),
                Tuple.of(1, garbage()),
                Tuple.of(1, corruptedCommands()));
    }

    static Arbitrary<List<byte[]>> entrySequences() {
        return entries().list().ofMaxSize(200);
    }
}
