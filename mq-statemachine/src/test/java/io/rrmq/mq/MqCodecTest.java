package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void writesTheDocumentedCommandFormat() {
        assertThat(HEX.formatHex(MqCodec.encodeCommand(new MqCommand.CreateTopic("ab"))))
                .isEqualTo("0101" + "00000002" + "6162");
        assertThat(HEX.formatHex(MqCodec.encodeCommand(new MqCommand.PutMessage("a", ""))))
                .isEqualTo("0102" + "00000001" + "61" + "00000000");
        assertThat(HEX.formatHex(MqCodec.encodeCommand(new MqCommand.PopMessage("é"))))
                .isEqualTo("0103" + "00000002" + "c3a9");
        assertThat(HEX.formatHex(MqCodec.encodeCommand(new MqCommand.ListTopics())))
                .isEqualTo("0104");
    }

    @Test
    void writesTheDocumentedResultFormat() {
        assertThat(HEX.formatHex(MqCodec.encodeResult(MqResult.ok()))).isEqualTo("010100");
        assertThat(HEX.formatHex(MqCodec.encodeResult(MqResult.of(MqResult.Outcome.INVALID_COMMAND))))
                .isEqualTo("010500");
        assertThat(HEX.formatHex(MqCodec.encodeResult(MqResult.popped(""))))
                .isEqualTo("010101" + "00000000");
        assertThat(HEX.formatHex(MqCodec.encodeResult(MqResult.topics(List.of("a", "b")))))
                .isEqualTo("010102" + "00000002" + "00000001" + "61" + "00000001" + "62");
    }

    @Test
    void distinguishesAnEmptyMessageFromNoMessage() {
        assertThat(MqCodec.decodeResult(MqCodec.encodeResult(MqResult.popped(""))).message()).isEmpty();
        assertThat(MqCodec.decodeResult(MqCodec.encodeResult(MqResult.ok())).message()).isNull();
    }

    @Test
    void roundTripsSupplementaryAndRightToLeftText() {
        String topic = "🙂 שלום مرحبا 𝄞";
        String message = "\u0000e\u0301 \uFFFD \uFEFF 👩‍👩‍👧 \uD83D\uDE00";
        MqCommand put = new MqCommand.PutMessage(topic, message);

        assertThat(MqCodec.decodeCommand(MqCodec.encodeCommand(put))).isEqualTo(put);
        assertThat(MqCodec.decodeResult(MqCodec.encodeResult(MqResult.popped(message))).message())
                .isEqualTo(message);
    }

    @Test
    void refusesToEncodeAnUnpairedSurrogate() {
        assertThatThrownBy(() -> MqCodec.encodeCommand(new MqCommand.CreateTopic("a\uD800")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> MqCodec.encodeCommand(new MqCommand.PutMessage("t", "\uDC00x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("message");
        assertThatThrownBy(() -> MqCodec.encodeResult(MqResult.popped("\uDBFF")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsEmptyInput() {
        assertRejected("", "missing format version");
    }

    @Test
    void anIdentifiedWriteCarriesTheWritesOwnEncodingAfterItsId() {
        MqCommand write = new MqCommand.PutMessage("tö", "m");
        MqCommand.Identified identified = new MqCommand.Identified("id-🙂", write);
        byte[] entry = MqCodec.encodeCommand(identified);
        int from = MqCodec.wrappedWriteOffset(identified);

        byte[] own = new byte[1 + entry.length - from];
        own[0] = MqCodec.VERSION;
        System.arraycopy(entry, from, own, 1, entry.length - from);

        assertThat(own).isEqualTo(MqCodec.encodeCommand(write));
    }

    @Test
    void markingAResultReplayedSetsOnlyTheFlag() {
        MqResult popped = MqResult.popped("m");

        byte[] marked = MqCodec.markReplayed(MqCodec.encodeResult(popped));

        assertThat(MqCodec.decodeResult(marked)).isEqualTo(popped.asReplay());
    }

    @Test
    void rejectsUnknownVersion() {
        assertRejected("0204", "unsupported command format version 2");
        assertThatThrownBy(() -> MqCodec.decodeResult(HEX.parseHex("000100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported result format version 0");
    }

    @Test
    void rejectsUnknownOpcodeOutcomeAndFlags() {
        assertRejected("0100", "unknown command opcode 0");
        assertRejected("010D", "unknown command opcode 13");
        assertThatThrownBy(() -> MqCodec.decodeResult(HEX.parseHex("010800")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown result outcome 8");
        assertThatThrownBy(() -> MqCodec.decodeResult(HEX.parseHex("010120")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown result flags");
    }

    @Test
    void rejectsTrailingBytes() {
        assertRejected("0104" + "00", "1 trailing bytes");
        assertRejected("0101" + "00000001" + "61" + "6162", "2 trailing bytes");
    }

    @Test
    void rejectsNegativeAndOversizedLengthsWithoutAllocatingThem() {
        assertRejected("0101" + "ffffffff" + "61", "bad length 4294967295");
        assertRejected("0101" + "7ffffff0" + "61", "bad length 2147483632");
        assertThatThrownBy(() -> MqCodec.decodeResult(HEX.parseHex("010102" + "7fffffff" + "00000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad topic count");
    }

    @Test
    void rejectsAnEmptyTopicListMarkedPresentBecauseItHasACanonicalForm() {
        assertThatThrownBy(() -> MqCodec.decodeResult(HEX.parseHex("010102" + "00000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void rejectsMalformedUtf8() {
        assertRejected("0101" + "00000001" + "ff", "topic is not valid UTF-8");
        // Overlong encoding of '/', and a UTF-16 surrogate encoded as if it were a code point.
        assertRejected("0101" + "00000002" + "c0af", "not valid UTF-8");
        assertRejected("0101" + "00000003" + "eda080", "not valid UTF-8");
    }

    @Test
    void acceptsWellFormedReplacementCharacter() {
        assertThat(MqCodec.decodeCommand(HEX.parseHex("0101" + "00000003" + "efbfbd")))
                .isEqualTo(new MqCommand.CreateTopic("\uFFFD"));
    }

    private static void assertRejected(String hex, String messagePart) {
        assertThatThrownBy(() -> MqCodec.decodeCommand(HEX.parseHex(hex)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(messagePart);
    }
}
