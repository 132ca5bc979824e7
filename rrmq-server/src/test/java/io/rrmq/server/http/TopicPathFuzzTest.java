package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.fuzz.Allocations;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link TopicPath#decode} on any path: a non-empty, well-formed topic or a 4xx, nothing else; a
 * topic survives percent-encoding; and text that needs no decoding is returned as it is or, if it is
 * not valid Unicode, refused rather than altered.
 */
class TopicPathFuzzTest {

    @Property(tries = 1000)
    void everyPathIsAWellFormedTopicOrA4xx(@ForAll("paths") String raw) {
        String topic = decodedOrRefused(raw);
        if (topic != null) {
            assertThat(topic).isNotEmpty();
            assertThat(ApiRequests.isWellFormed(topic)).as("well-formed Unicode").isTrue();
        }
    }

    @Property(tries = 300)
    void everyTopicSurvivesPercentEncoding(@ForAll("topics") String topic, @ForAll boolean everyByte) {
        StringBuilder raw = new StringBuilder();
        for (byte b : topic.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (!everyByte && c > 0x20 && c < 0x7F && c != '%') {
                raw.append((char) c);
            } else {
                raw.append('%').append(String.format("%02X", c));
            }
        }
        assertThat(decodedOrRefused(raw.toString())).isEqualTo(topic);
    }

    /** Decoded text (Undertow never sends it, decode accepts it): kept as it is, or refused. */
    @Property(tries = 300)
    void textThatNeedsNoDecodingIsKeptOrRefusedNeverAltered(@ForAll("decodedText") String raw) {
        String topic = decodedOrRefused(raw);
        if (ApiRequests.isWellFormed(raw)) {
            assertThat(topic).isEqualTo(raw);
        } else {
            assertThat(topic).as("an unpaired surrogate is refused").isNull();
        }
    }

    private static String decodedOrRefused(String raw) {
        Allocations.Measured<String> outcome = Allocations.measureWithin(
                Allocations.budget(raw.length(), 64), () -> TopicPath.decode(raw));
        if (outcome.thrown() instanceof BadRequestException refused) {
            assertThat(refused.reply().status()).isBetween(400, 499);
            return null;
        }
        return outcome.valueOrDocumentedRejection();
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<String> paths() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().withChars("%0123456789abcdefABCDEFgG/+ \u00ff\u0100\ud800\udc00")
                        .ofMaxLength(16)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(8)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(12)));
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8).filter(ApiRequests::isWellFormed);
    }

    /** No '%' and no char that stands for a raw byte (0x80-0xFF): only text that needs no decoding. */
    @Provide
    Arbitrary<String> decodedText() {
        return Arbitraries.strings()
                .withCharRange('\u0021', '\u007e').withCharRange('\u0100', '\uffff')
                .excludeChars('%')
                .ofMinLength(1).ofMaxLength(6);
    }
}
