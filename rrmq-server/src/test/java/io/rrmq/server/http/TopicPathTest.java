package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPathTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "orders               | orders",
        "a%2Fb                | a/b",
        "a%2fb                | a/b",
        "a/b                  | a/b",
        "a+b                  | a+b",
        "a%2Bb                | a+b",
        "a%20b                | a b",
        "%C3%BCber            | über",
        "%E6%97%A5%E6%9C%AC   | 日本",
        "%F0%9F%98%80         | \uD83D\uDE00",
        "%25                  | %",
    })
    void percentDecodesAsUtf8(String raw, String topic) throws Exception {
        assertThat(TopicPath.decode(raw)).isEqualTo(topic);
    }

    /** Found by fuzzing: an unpaired surrogate in decoded text became the topic "?". */
    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "a\uDC00", "\uD800A", "\uDC00\uD800"})
    void decodedTextWithAnUnpairedSurrogateIsRefusedNotAltered(String raw) {
        assertThatThrownBy(() -> TopicPath.decode(raw))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.reply().status()).isEqualTo(400));
    }

    @Test
    void decodedTextIsKeptAsItIs() throws Exception {
        assertThat(TopicPath.decode("\uD83D\uDE00\u65E5")).isEqualTo("\uD83D\uDE00\u65E5");
    }

    @Test
    void controlCharactersAreTopicsToo() throws Exception {
        assertThat(TopicPath.decode("%00%0A")).isEqualTo("\u0000\n");
    }

    @Test
    void rawUtf8BytesSeenAsLatin1CharsDecodeLikeTheirEscapes() throws Exception {
        // Undertow, with URL decoding off, hands raw bytes over one byte per char.
        String latin1 = new String("ünï".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(TopicPath.decode(latin1)).isEqualTo("ünï");
    }

    @Test
    void alreadyDecodedTextIsKept() throws Exception {
        assertThat(TopicPath.decode("日本")).isEqualTo("日本");
        assertThat(TopicPath.decode("\uD83D\uDE00x")).isEqualTo("\uD83D\uDE00x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%", "%4", "a%zz", "%G0", "%C3%28", "%C3", "%ED%A0%80", "%FF"})
    void refusesEmptyMalformedAndNonUtf8(String raw) {
        assertThatThrownBy(() -> TopicPath.decode(raw))
                .isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((BadRequestException) e).reply().status()).isEqualTo(400));
    }
}
