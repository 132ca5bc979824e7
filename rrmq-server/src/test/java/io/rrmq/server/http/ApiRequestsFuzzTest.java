package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.server.json.Json;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The client API's request parsers on hostile input: every body, header and path gives a command
 * the state machine's codec can encode, or a {@link BadRequestException} carrying a 4xx reply;
 * nothing else is thrown (which the handler would turn into a 500), and no input makes a parser
 * allocate more than a small multiple of its size. Bodies are valid JSON requests damaged by
 * {@link Mutations}, the same requests in the other encodings Jackson detects (UTF-16, UTF-32), and
 * soups of JSON tokens. jqwik prints the seed of a failure.
 */
class ApiRequestsFuzzTest {
    private static final int BYTES_PER_INPUT_BYTE = 64;

    @Property(tries = 1000)
    void everyBodyIsACommandOrA4xx(@ForAll("hostileBodies") byte[] body) {
        MqCommand.CreateTopic create = parsedOrRefused(() -> ApiRequests.createTopic(body), body.length);
        if (create != null) {
            assertWellFormedTopic(create.topic());
            MqCodec.encodeCommand(create);
        }
        MqCommand.PutMessage put = parsedOrRefused(() -> ApiRequests.putMessage(body), body.length);
        if (put != null) {
            assertWellFormedTopic(put.topic());
            assertThat(ApiRequests.isWellFormed(put.message())).isTrue();
            MqCodec.encodeCommand(put);
        }
    }

    @Property(tries = 500)
    void everyRequestIdHeaderIsAnIdOrA4xx(@ForAll("headers") String header) {
        MqCommand.CreateTopic write = new MqCommand.CreateTopic("t");
        MqCommand command = parsedOrRefused(() -> ApiRequests.identified(write, header), header.length());
        if (command != null) {
            MqCommand.Identified identified = (MqCommand.Identified) command;
            assertThat(identified.requestId()).hasSizeBetween(1, MqCommand.Identified.MAX_REQUEST_ID_LENGTH)
                    .matches("[!-~]+");
            MqCodec.encodeCommand(identified);
        }
    }

    @Property(tries = 300)
    void everyContentTypeIsAcceptedOrA415(@ForAll("headers") String contentType) {
        try {
            ApiRequests.requireJson(contentType);
        } catch (BadRequestException e) {
            assertThat(e.reply().status()).isEqualTo(415);
        }
    }

    /** The parsed value, or null if the parser refused the input with a 4xx. */
    private static <T> T parsedOrRefused(Allocations.Call<T> parse, int inputSize) {
        Allocations.Measured<T> outcome = Allocations.measureWithin(
                Allocations.budget(inputSize, BYTES_PER_INPUT_BYTE), parse);
        if (outcome.thrown() instanceof BadRequestException refused) {
            assertThat(refused.reply().status()).isBetween(400, 499);
            return null;
        }
        return outcome.valueOrDocumentedRejection();
    }

    private static void assertWellFormedTopic(String topic) {
        assertThat(topic).isNotEmpty();
        assertThat(ApiRequests.isWellFormed(topic)).as("well-formed Unicode").isTrue();
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<byte[]> hostileBodies() {
        Arbitrary<byte[]> valid = validBodies().map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                Tuple.of(6, Mutations.hostile(valid)),
                Tuple.of(2, Combinators.combine(validBodies(), Arbitraries.of("UTF-16", "UTF-16BE", "UTF-16LE",
                        "UTF-32BE", "UTF-32LE")).as((body, charset) -> body.getBytes(Charset.forName(charset)))),
                Tuple.of(2, Mutations.mutated(validBodies().map(s -> s.getBytes(Charset.forName("UTF-32BE"))), 2)),
                Tuple.of(3, tokenSoup()));
    }

    /** Request bodies as a client would write them, with any strings, in any field order. */
    @SuppressWarnings("unchecked")
    static Arbitrary<String> validBodies() {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().ofMaxLength(8)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(4)),
                Tuple.of(1, Arbitraries.of("", "orders", "🙂", "\u0000", "\\", "\"")));
        Arbitrary<List<String>> fields = Arbitraries.of(List.of("topic"), List.of("topic", "message"),
                List.of("message", "topic"), List.of("topic", "message", "extra"), List.of());
        return Combinators.combine(fields, text, text, text).as((names, a, b, c) -> new String(Json.write(json -> {
            json.writeStartObject();
            List<String> values = List.of(a, b, c);
            for (int i = 0; i < names.size(); i++) {
                json.writeStringField(names.get(i), values.get(i));
            }
            json.writeEndObject();
        }), StandardCharsets.UTF_8));
    }

    /** Sequences of JSON tokens, valid and not, glued without a grammar. */
    static Arbitrary<byte[]> tokenSoup() {
        return Arbitraries.of("{", "}", "[", "]", ":", ",", " ", "\"topic\"", "\"message\"", "\"t\"", "\"\"",
                        "1", "-0", "1e999", "12345678901234567890", "true", "null", "\"\\ud800\"", "\"\\u0000\"",
                        "\"\\uDBFF\\uDFFF\"", "/*", "//", "'", "\uFEFF", "\"\\x\"", "\u00ff", "\"\u00e9\"")
                .list().ofMaxSize(12)
                .map(tokens -> String.join("", tokens).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<String> headers() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(70)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(70)),
                Tuple.of(1, Arbitraries.of("", " ", "application/json", "application/JSON; charset=utf-8",
                        "application/problem+json", "text/plain;", ";", "application/", "+json", "x".repeat(64),
                        "x".repeat(65), "\u00e9", "a\u0000b")));
    }
}
